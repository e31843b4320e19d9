#!/usr/bin/env python3
"""Pre-signs create-payment requests for bench/create_payment.lua.

Usage: BENCH_SECRET=<secretApiKey> sign_requests.py PSPID KEY_PREFIX COUNT OUT_FILE

Writes COUNT lines "<idempotence key> <v1HMAC signature>" to OUT_FILE, every request
signed with the same Date (now, RFC 1123 GMT), which is printed on stdout: the server
accepts it for 15 minutes. The string signed is the one the Direct SDKs sign:
"POST\\napplication/json\\n<Date>\\nx-gcs-idempotence-key:<key>\\n/v2/<PSPID>/payments\\n".
"""

import base64
import email.utils
import hashlib
import hmac
import os
import sys


def main() -> None:
    pspid, prefix, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    secret = os.environ["BENCH_SECRET"].encode()
    date = email.utils.formatdate(usegmt=True)
    head = f"POST\napplication/json\n{date}\nx-gcs-idempotence-key:"
    tail = f"\n/v2/{pspid}/payments\n"
    lines = []
    for i in range(count):
        key = f"{prefix}{i}"
        mac = hmac.new(secret, f"{head}{key}{tail}".encode(), hashlib.sha256).digest()
        lines.append(f"{key} {base64.b64encode(mac).decode()}\n")
    with open(out, "w", encoding="ascii") as f:
        f.writelines(lines)
    print(date)


if __name__ == "__main__":
    main()
