"""Schemathesis hooks for fuzzing the server API: every generated request is sent for
the merchant of the API key and signed with v1HMAC, exactly as the Direct SDKs sign, so
the fuzzer reaches the handlers instead of stopping at authentication.

Environment: OPENPSP_URL, OPENPSP_MERCHANT_ID, OPENPSP_API_KEY_ID, OPENPSP_SECRET_API_KEY.
"""

import base64
import hashlib
import hmac
import os
from email.utils import formatdate

import requests
import schemathesis

BASE_URL = os.environ["OPENPSP_URL"]
MERCHANT = os.environ["OPENPSP_MERCHANT_ID"]
KEY_ID = os.environ["OPENPSP_API_KEY_ID"]
SECRET = os.environ["OPENPSP_SECRET_API_KEY"]


def _canonical(value):
    """A header value as the server folds it: line breaks and the blanks after them
    become one space, then the value is trimmed."""
    lines = value.replace("\r\n", "\n").split("\n")
    return " ".join([lines[0]] + [line.lstrip(" \t") for line in lines[1:]]).strip()


def sign(prepared):
    """`Authorization` for a prepared request: HMAC-SHA256 over
    METHOD, Content-Type (not for GET and HEAD), Date, the x-gcs headers, path?query."""
    method = prepared.method.upper()
    content_type = "" if method in ("GET", "HEAD") else prepared.headers.get("Content-Type", "")
    gcs = sorted(
        (name.lower(), _canonical(value))
        for name, value in prepared.headers.items()
        if name.lower().startswith("x-gcs")
    )
    data = f"{method}\n{content_type}\n{prepared.headers.get('Date', '')}\n"
    data += "".join(f"{name}:{value}\n" for name, value in gcs)
    data += prepared.path_url + "\n"
    digest = hmac.new(SECRET.encode(), data.encode(), hashlib.sha256).digest()
    return f"GCS v1HMAC:{KEY_ID}:{base64.b64encode(digest).decode()}"


@schemathesis.auth(refresh_interval=None)
class V1Hmac:
    """Signs each request after the fuzzer has drawn it (path, query, headers, body)."""

    def get(self, case, context):
        return KEY_ID

    def set(self, case, data, context):
        if case.path_parameters is not None and "merchantId" in case.path_parameters:
            case.path_parameters["merchantId"] = MERCHANT
        headers = dict(case.headers or {})
        headers.pop("Authorization", None)
        headers["Date"] = formatdate(usegmt=True)
        case.headers = headers
        # The request exactly as it will be sent, to sign what goes on the wire.
        kwargs = case.as_transport_kwargs(base_url=BASE_URL)
        request = requests.Request(
            method=kwargs["method"],
            url=kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            json=kwargs.get("json"),
            data=kwargs.get("data"),
            files=kwargs.get("files"),
        )
        prepared = requests.Session().prepare_request(request)
        case.headers["Authorization"] = sign(prepared)
