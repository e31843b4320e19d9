#!/usr/bin/env python3
"""Crash-safety driver for bench/crash.sh: create/capture/refund load through the Direct
API (v1HMAC, one idempotence key per request), `kill -9` of the server at random moments,
restart, re-sending of every request that was in flight with its key, and checks of the
database after each restart. Standard library only (sqlite3 for SQLite, psql for
PostgreSQL).

Configuration by environment (crash.sh sets it):
  CRASH_BASE        server base URL              CRASH_PSPID     merchant
  CRASH_KEY_ID      API key id                   CRASH_SECRET    its secret
  CRASH_SERVER      command line starting the server (run with sh -c)
  CRASH_DB          sqlite file path, or a postgres:// URL
  CRASH_KILLS       number of kills (50)         CRASH_WORKERS   concurrent clients (6)
  CRASH_HOOK_PORT   webhook receiver port        CRASH_HOOK_SECRET webhook signing secret
  CRASH_LOG         server log file              CRASH_DRAIN     seconds to wait for webhooks (180)
  CRASH_READY       URL answering once the started server is up (CRASH_BASE/healthz);
                    bench/nodes.sh points it at the killed node while CRASH_BASE is the front

Exits non-zero when a check failed. Card numbers and secrets are never printed.
"""

import base64
import email.utils
import hashlib
import hmac
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BASE = os.environ["CRASH_BASE"]
PSPID = os.environ["CRASH_PSPID"]
KEY_ID = os.environ["CRASH_KEY_ID"]
SECRET = os.environ["CRASH_SECRET"].encode()
SERVER = os.environ["CRASH_SERVER"]
DB = os.environ["CRASH_DB"]
KILLS = int(os.environ.get("CRASH_KILLS", "50"))
WORKERS = int(os.environ.get("CRASH_WORKERS", "6"))
HOOK_PORT = int(os.environ["CRASH_HOOK_PORT"])
HOOK_SECRET = os.environ.get("CRASH_HOOK_SECRET", "").encode()
LOG = os.environ.get("CRASH_LOG", "/dev/null")
DRAIN = int(os.environ.get("CRASH_DRAIN", "180"))
READY = os.environ.get("CRASH_READY", BASE + "/healthz")
CARD = "4111111111111111"

lock = threading.Lock()
# Every request ever sent: key -> {kind, path, body, payment (public id), answer}.
requests_by_key = {}
# Requests without a final answer yet (killed in flight, 409, 5xx): keys.
unfinished = set()
# Payments the clients know: public id -> {"mode", "captured", "authorised"}.
known = {}
received_events = set()
bad_signatures = [0]
counts = {"sent": 0, "answered": 0, "in_flight_at_kill": 0, "no_answer_while_up": 0, "resent": 0,
          "409": 0, "5xx": 0}
running = threading.Event()
stop = threading.Event()
# Clients between picking a request and recording its answer.
active = [0]


# ------------------------------------------------------------------ webhook receiver
class Hook(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if HOOK_SECRET:
            want = base64.b64encode(hmac.new(HOOK_SECRET, body, hashlib.sha256).digest()).decode()
            if not hmac.compare_digest(want, self.headers.get("X-GCS-Signature", "")):
                with lock:
                    bad_signatures[0] += 1
        try:
            event = json.loads(body)
            with lock:
                received_events.add(event["id"])
        except (ValueError, KeyError):
            pass
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


# ------------------------------------------------------------------ Direct API client
def send(key, path, body, timeout=15):
    """One signed POST; (status, json) or (None, None) when the server did not answer."""
    date = email.utils.formatdate(usegmt=True)
    full = f"/v2/{PSPID}{path}"
    data = f"POST\napplication/json\n{date}\nx-gcs-idempotence-key:{key}\n{full}\n"
    sig = base64.b64encode(hmac.new(SECRET, data.encode(), hashlib.sha256).digest()).decode()
    req = urllib.request.Request(
        BASE + full,
        data=json.dumps(body).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Date": date,
            "X-GCS-Idempotence-Key": key,
            "Authorization": f"GCS v1HMAC:{KEY_ID}:{sig}",
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read() or b"null")
    except urllib.error.HTTPError as e:
        raw = e.read()
        try:
            return e.code, json.loads(raw or b"null")
        except ValueError:
            return e.code, None
    except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
        return None, None


def record(key, status, answer):
    """Keeps a final answer; returns False when the request must be sent again."""
    with lock:
        r = requests_by_key[key]
        in_progress = status == 409 and ((answer or {}).get("errors") or [{}])[0].get("id") == "DUPLICATE_REQUEST_IN_PROGRESS"
        if status is None or status >= 500 or in_progress:
            if in_progress:
                counts["409"] += 1
            elif status is not None:
                counts["5xx"] += 1
            unfinished.add(key)
            return False
        counts["answered"] += 1
        unfinished.discard(key)
        r["status"] = status
        r["answer"] = answer
        if r["kind"] == "create":
            payment = (answer or {}).get("payment") or (answer or {}).get("paymentResult", {}).get("payment")
            if payment:
                r["payment"] = payment["id"]
                if status == 201:
                    known[payment["id"]] = {
                        "mode": r["body"]["cardPaymentMethodSpecificInput"]["authorizationMode"],
                        "status": payment.get("status"),
                        "amount": r["body"]["order"]["amountOfMoney"]["amount"],
                        "captured": r["body"]["order"]["amountOfMoney"]["amount"]
                        if payment.get("status") == "CAPTURED" else 0,
                    }
        elif status < 300:
            p = known.get(r["payment"])
            if p is not None and r["kind"] == "capture":
                p["captured"] += r["body"]["amount"]
        return True


def new_request(kind, path, body, payment=None):
    key = f"{kind[:3]}-{uuid.uuid4().hex[:20]}"
    if kind == "create":
        body["order"]["references"] = {"merchantReference": key}
    with lock:
        requests_by_key[key] = {"kind": kind, "path": path, "body": body, "payment": payment}
        counts["sent"] += 1
    return key


def pick_action(rng):
    with lock:
        capturable = [p for p, v in known.items()
                      if v["mode"] == "PRE_AUTHORIZATION" and v["status"] == "PENDING_CAPTURE"
                      and v["captured"] + 100 <= v["amount"]]
        refundable = [p for p, v in known.items() if v["captured"] > 0]
    roll = rng.random()
    if roll < 0.3 and capturable:
        p = rng.choice(capturable)
        return new_request("capture", f"/payments/{p}/capture", {"amount": rng.randint(50, 100)}, p)
    if roll < 0.5 and refundable:
        p = rng.choice(refundable)
        body = {"amountOfMoney": {"amount": rng.randint(10, 40), "currencyCode": "EUR"}}
        return new_request("refund", f"/payments/{p}/refund", body, p)
    mode = rng.choice(["SALE", "PRE_AUTHORIZATION"])
    body = {
        "order": {"amountOfMoney": {"amount": rng.randint(300, 900), "currencyCode": "EUR"}},
        "cardPaymentMethodSpecificInput": {
            "card": {"cardNumber": CARD, "cvv": "123", "expiryDate": "1230", "cardholderName": "Crash Test"},
            "authorizationMode": mode,
        },
    }
    return new_request("create", "/payments", body)


def worker(seed):
    rng = random.Random(seed)
    while not stop.is_set():
        if not running.wait(0.2):
            continue
        with lock:
            active[0] += 1
        try:
            if not running.is_set():
                continue
            key = pick_action(rng)
            r = requests_by_key[key]
            status, answer = send(key, r["path"], r["body"])
            if not record(key, status, answer) and status is None:
                with lock:
                    counts["in_flight_at_kill" if not running.is_set() else "no_answer_while_up"] += 1
        finally:
            with lock:
                active[0] -= 1


def wait_idle():
    """Waits until no client is between sending a request and recording its answer."""
    while True:
        with lock:
            if active[0] == 0:
                return
        time.sleep(0.05)


# ------------------------------------------------------------------ server
server_proc = [None]


def start_server():
    log = open(LOG, "ab")
    server_proc[0] = subprocess.Popen(SERVER, shell=True, stdout=log, stderr=log, start_new_session=True)
    for _ in range(300):
        try:
            with urllib.request.urlopen(READY, timeout=1):
                return
        except (urllib.error.URLError, OSError):
            if server_proc[0].poll() is not None:
                sys.exit(f"the server stopped at start; see {LOG}")
            time.sleep(0.1)
    sys.exit(f"the server did not start; see {LOG}")


def kill_server():
    p = server_proc[0]
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()


def resend_unfinished():
    """Sends every request without a final answer again, with its key, until answered."""
    deadline = time.time() + 120
    while True:
        with lock:
            pending = sorted(unfinished)
        if not pending:
            return True
        if time.time() > deadline:
            return False
        for key in pending:
            r = requests_by_key[key]
            with lock:
                counts["resent"] += 1
            status, answer = send(key, r["path"], r["body"])
            record(key, status, answer)
        with lock:
            if unfinished:
                time.sleep(1)


# ------------------------------------------------------------------ database checks
def query(sql):
    if DB.startswith("postgres"):
        out = subprocess.run(["psql", DB, "-At", "-F", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]
    con = sqlite3.connect(DB, timeout=30)
    try:
        return [tuple("" if v is None else str(v) for v in row) for row in con.execute(sql)]
    finally:
        con.close()


def check(round_no):
    problems = []
    payments = {ref: (pid, stage) for pid, ref, stage in
                query("SELECT id, merchant_reference, stage FROM payments")}
    dup = query("SELECT merchant_reference, COUNT(*) FROM payments GROUP BY merchant_reference HAVING COUNT(*) > 1")
    if dup:
        problems.append(f"{len(dup)} idempotence keys with more than one payment")
    with lock:
        creates = {k: r for k, r in requests_by_key.items() if r["kind"] == "create" and k not in unfinished}
        changes = [r for k, r in requests_by_key.items() if r["kind"] != "create" and k not in unfinished]
    lost = [k for k, r in creates.items() if r.get("status") in (201, 402) and k not in payments]
    if lost:
        problems.append(f"{len(lost)} answered payments missing from the database")
    wrong = [k for k, r in creates.items() if r.get("payment") and k in payments
             and int(r["payment"].split("_")[0]) != int(payments[k][0])]
    if wrong:
        problems.append(f"{len(wrong)} keys answered with another payment than the stored one")
    unknown = [ref for ref in payments if ref not in requests_by_key]
    if unknown:
        problems.append(f"{len(unknown)} payments no request asked for")
    # Each successful capture/refund request is exactly one operation.
    ops = {}
    # The operations a keyed capture/refund request made carry the request's reference.
    for pid, kind, n in query("SELECT payment_id, kind, COUNT(*) FROM operations "
                              "WHERE result = 'approved' AND kind IN ('capture', 'refund') "
                              "AND idempotence_ref IS NOT NULL GROUP BY payment_id, kind"):
        ops[(int(pid), kind)] = int(n)
    asked = {}
    for r in changes:
        if r.get("status", 999) < 300:
            pid = int(r["payment"].split("_")[0])
            asked[(pid, r["kind"])] = asked.get((pid, r["kind"]), 0) + 1
    mismatched = sum(1 for k in set(ops) | set(asked) if ops.get(k, 0) != asked.get(k, 0))
    if mismatched:
        problems.append(f"{mismatched} payments whose captures/refunds differ from the requests answered")
    # Ledger = sum of operations. A change written pending (the server stopped after
    # committing it, before or after asking the acquirer) holds its amount in the ledger
    # as a reservation until the acquirer's answer completes or removes it.
    ledger_bad = query(
        "SELECT p.id FROM payments p LEFT JOIN ("
        " SELECT payment_id,"
        "  SUM(CASE WHEN kind = 'authorise' THEN amount ELSE 0 END) AS a,"
        "  SUM(CASE WHEN kind = 'capture' THEN amount ELSE 0 END) AS c,"
        "  SUM(CASE WHEN kind = 'refund' THEN amount ELSE 0 END) AS r"
        " FROM operations WHERE result IN ('approved', 'pending') GROUP BY payment_id) o "
        "ON o.payment_id = p.id "
        "WHERE p.authorised <> COALESCE(o.a, 0) OR p.captured <> COALESCE(o.c, 0) "
        "OR p.refunded <> COALESCE(o.r, 0)")
    if ledger_bad:
        problems.append(f"{len(ledger_bad)} payments whose ledger differs from their operations")
    # Jobs: done, failed for good, or claimable (queued, or running under a lease that ends).
    states = dict(query("SELECT state, COUNT(*) FROM jobs GROUP BY state"))
    stuck = query("SELECT COUNT(*) FROM jobs WHERE state NOT IN ('queued', 'running', 'done', 'failed') "
                  "OR (state = 'running' AND locked_until IS NULL)")[0][0]
    if int(stuck):
        problems.append(f"{stuck} jobs neither done nor claimable")
    # Webhooks: every pending delivery has a job that will run it.
    orphan = query("SELECT COUNT(*) FROM webhook_deliveries d WHERE d.status = 'pending' AND NOT EXISTS "
                   "(SELECT 1 FROM jobs j WHERE j.kind = 'webhook_delivery' AND j.state IN ('queued', 'running') "
                   "AND (j.payload LIKE '%\"delivery\":' || d.id || '}%' OR j.payload LIKE '%\"delivery\":' || d.id || ',%'))")[0][0]
    if int(orphan):
        problems.append(f"{orphan} undelivered webhooks without a job")
    # Every request was answered again after the restart: a change whose answer the kill
    # lost was settled by asking the acquirer about it, none is left pending.
    left = query("SELECT COUNT(*) FROM operations WHERE result = 'pending'")[0][0]
    if int(left):
        problems.append(f"{left} changes left pending after every request was answered")
    leases = query("SELECT COUNT(*) FROM idempotency_keys WHERE status_code IS NULL")[0][0]
    print(f"  round {round_no}: payments {len(payments)}, jobs {states}, open idempotence records {leases}"
          + ("" if not problems else "\n    PROBLEMS: " + "; ".join(problems)), flush=True)
    return problems


def main():
    hook = ThreadingHTTPServer(("127.0.0.1", HOOK_PORT), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    start_server()
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(WORKERS)]
    for t in threads:
        t.start()
    rng = random.Random(int(os.environ.get("CRASH_SEED", "1")))
    all_problems = []
    for round_no in range(1, KILLS + 1):
        running.set()
        time.sleep(rng.uniform(0.5, 3.0))
        running.clear()  # no new requests; those in flight are cut by the kill
        kill_server()
        wait_idle()  # the clients saw their connections die
        start_server()
        if not resend_unfinished():
            all_problems.append(f"round {round_no}: requests still unanswered after 120 s")
        all_problems += [f"round {round_no}: {p}" for p in check(round_no)]
    stop.set()
    # Webhooks: every event stored is delivered at least once.
    deadline = time.time() + DRAIN
    missing = []
    events = set()
    while time.time() < deadline:
        events = {e for (e,) in query("SELECT id FROM webhook_events")}
        with lock:
            missing = sorted(events - received_events)
        if not missing:
            break
        time.sleep(2)
    final = check("final")
    all_problems += [f"final: {p}" for p in final]
    if missing:
        all_problems.append(f"{len(missing)} webhook events not delivered within {DRAIN} s")
    kill_server()
    hook.shutdown()
    totals = query("SELECT COUNT(*), COALESCE(SUM(authorised), 0), COALESCE(SUM(captured), 0), "
                   "COALESCE(SUM(refunded), 0) FROM payments")[0]
    by_stage = dict(query("SELECT stage, COUNT(*) FROM payments GROUP BY stage"))
    reconciled = query("SELECT COUNT(DISTINCT payment_id) FROM operations WHERE result = 'uncertain'")[0][0]
    print(f"kills: {KILLS}")
    print(f"requests sent: {counts['sent']}, answered: {counts['answered']}, "
          f"cut by a kill: {counts['in_flight_at_kill']}, no answer while up: {counts['no_answer_while_up']}, re-sent: {counts['resent']}, "
          f"409 while a lease was live: {counts['409']}, 5xx: {counts['5xx']}")
    print(f"payments: {totals[0]} {by_stage}; authorised {totals[1]}, captured {totals[2]}, refunded {totals[3]} (minor units)")
    print(f"payments whose acquirer answer was lost in a kill, reconciled as uncertain: {reconciled}")
    print(f"webhook events: {len(events)}, received: {len(received_events)}, missing: {len(missing)}, "
          f"bad signatures: {bad_signatures[0]}")
    if all_problems:
        print("FAILED:")
        for p in all_problems:
            print("  " + p)
        sys.exit(1)
    print("OK: no payment lost or duplicated, every ledger equals its operations, "
          "every job done or claimable, every webhook delivered")


if __name__ == "__main__":
    main()
