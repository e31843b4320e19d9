#!/usr/bin/env python3
"""OpenPSP conformance suite for the Payment Links resource of the current Direct API.

Drives a running OpenPSP through the current Worldline Direct Python SDK
(onlinepayments-sdk-python3, pinned in requirements.txt): creates, reads, cancels and
shares payment links with the SDK's own classes, and pays a link the way a payer does,
through the pre-payment page and the hosted checkout (plain HTTP with urllib).

Configuration comes from the environment variables of sdk-tests/README.md
(OPENPSP_URL, OPENPSP_MERCHANT_ID, OPENPSP_OTHER_MERCHANT_ID, OPENPSP_API_KEY_ID,
OPENPSP_SECRET_API_KEY). Prints one line per test and exits non-zero when any test fails.
Card numbers, CVCs and secrets are never printed.

    python conformance.py                      # every test
    python conformance.py test_01_create_pay_and_read_the_payment
"""

import base64
import json
import os
import re
import sys
import time
import traceback
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from line_result import LineResult  # noqa: E402
import urllib.error
import urllib.parse
import urllib.request
import uuid
from configparser import ConfigParser
from datetime import datetime, timedelta, timezone
from urllib.parse import urlparse

from onlinepayments.sdk.api_exception import ApiException
from onlinepayments.sdk.authorization_exception import AuthorizationException
from onlinepayments.sdk.communication.default_connection import DefaultConnection
from onlinepayments.sdk.communicator_configuration import CommunicatorConfiguration
from onlinepayments.sdk.domain.amount_of_money import AmountOfMoney
from onlinepayments.sdk.domain.create_payment_link_request import CreatePaymentLinkRequest
from onlinepayments.sdk.domain.order import Order
from onlinepayments.sdk.domain.order_references import OrderReferences
from onlinepayments.sdk.domain.payment_link_specific_input import PaymentLinkSpecificInput
from onlinepayments.sdk.domain.share_payment_link_request import SharePaymentLinkRequest
from onlinepayments.sdk.factory import Factory
from onlinepayments.sdk.idempotence_exception import IdempotenceException
from onlinepayments.sdk.reference_exception import ReferenceException
from onlinepayments.sdk.validation_exception import ValidationException

# --------------------------------------------------------------------------- configuration

REQUIRED_ENV = (
    "OPENPSP_URL",
    "OPENPSP_MERCHANT_ID",
    "OPENPSP_API_KEY_ID",
    "OPENPSP_SECRET_API_KEY",
)
ENV = {name: os.environ.get(name, "").strip() for name in REQUIRED_ENV}
MERCHANT_ID = ENV["OPENPSP_MERCHANT_ID"]
# A merchant the API key does not belong to.
OTHER_MERCHANT_ID = os.environ.get("OPENPSP_OTHER_MERCHANT_ID", "").strip() or (MERCHANT_ID + "other")

# The simulated acquirer approves this card (HP-5 test cards). Never printed.
CARD_APPROVED = "4111111111111111"
CVC = "123"
EXPIRY = "12/30"

# A payment of a link is captured at once or waits for its capture, by the merchant's settings.
PAID_PAYMENT_STATUSES = ("CAPTURED", "PENDING_CAPTURE")


# --------------------------------------------------------------------------- redaction

def redact(text):
    """Removes secrets, card numbers and CVCs from text meant for the console."""
    text = str(text)
    secret = ENV["OPENPSP_SECRET_API_KEY"]
    if secret:
        text = text.replace(secret, "[secret]")
    text = re.sub(r"(?<!\d)\d{12,19}(?!\d)", "[digits]", text)
    text = re.sub(r"(cvc=)[^&\s']*", r"\1[cvc]", text, flags=re.IGNORECASE)
    return text


# --------------------------------------------------------------------------- SDK plumbing

class RecordingConnection(DefaultConnection):
    """The SDK's own connection, keeping each response's method, path and status so tests
    can check the status codes the SDK does not expose (201, 204)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.responses = []  # (method, path, status, body text)

    def _keep(self, method, url, result):
        status, headers, chunks = result
        body = b"".join(chunks)
        path = url.path if hasattr(url, "path") else urlparse(str(url)).path
        self.responses.append((method, path, status, body.decode("utf-8", "replace")))
        return status, headers, [body]

    def get(self, url, request_headers):
        return self._keep("GET", url, super().get(url, request_headers))

    def post(self, url, request_headers, body):
        return self._keep("POST", url, super().post(url, request_headers, body))

    def last(self):
        return self.responses[-1]


def make_client():
    """A client built the way merchants do (Factory + CommunicatorConfiguration from
    properties), pointed at OPENPSP_URL, with a RecordingConnection."""
    url = urlparse(ENV["OPENPSP_URL"])
    properties = ConfigParser()
    section = {
        "onlinePayments.api.endpoint.host": url.hostname,
        "onlinePayments.api.endpoint.scheme": url.scheme,
        "onlinePayments.api.authorizationType": "v1HMAC",
        "onlinePayments.api.integrator": "OpenPSP payment links conformance suite",
        "onlinePayments.api.connectTimeout": "5",
        "onlinePayments.api.socketTimeout": "60",
        "onlinePayments.api.maxConnections": "4",
    }
    if url.port:
        section["onlinePayments.api.endpoint.port"] = str(url.port)
    properties.read_dict({"OnlinePaymentsSDK": section})
    configuration = CommunicatorConfiguration(
        properties=properties,
        api_key_id=ENV["OPENPSP_API_KEY_ID"],
        secret_api_key=ENV["OPENPSP_SECRET_API_KEY"],
    )
    connection = RecordingConnection(
        configuration.connect_timeout,
        configuration.socket_timeout,
        configuration.max_connections,
    )
    communicator = Factory.create_communicator_from_configuration(configuration, connection=connection)
    return Factory.create_client_from_communicator(communicator), connection


def reference(name):
    return "sdklink-%s-%s" % (name, uuid.uuid4().hex[:12])


def link_request(amount, merchant_reference, expires_in=timedelta(days=10), recipient="Pat Payer",
                 description="Order from the SDK suite", reusable=False, qr_code=False):
    """A CreatePaymentLinkRequest as a merchant's integration builds it."""
    money = AmountOfMoney()
    money.amount = amount
    money.currency_code = "EUR"
    references = OrderReferences()
    references.merchant_reference = merchant_reference
    order = Order()
    order.amount_of_money = money
    order.references = references
    specific = PaymentLinkSpecificInput()
    specific.description = description
    specific.expiration_date = datetime.now(timezone.utc) + expires_in
    specific.recipient_name = recipient
    request = CreatePaymentLinkRequest()
    request.order = order
    request.payment_link_specific_input = specific
    request.is_reusable_link = reusable
    request.display_qr_code = qr_code
    return request


# --------------------------------------------------------------------------- the payer's side

def server_function(name, data, as_json):
    """Calls a server function of the payer's pages; returns (HTTP status, decoded JSON or
    text)."""
    if as_json:
        body = json.dumps(data).encode()
        content_type = "application/json"
    else:
        body = urllib.parse.urlencode(data).encode()
        content_type = "application/x-www-form-urlencoded"
    request = urllib.request.Request(
        ENV["OPENPSP_URL"].rstrip("/") + "/api/" + name,
        data=body,
        method="POST",
        headers={"content-type": content_type, "accept": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, text = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode("utf-8", "replace")
    try:
        return status, json.loads(text)
    except ValueError:
        return status, text


def start_page(link_id):
    """The payer presses "Continue to payment" on the link's pre-payment page (a form:
    `id`, `amount`, and `fields[name]` for the fields the link asks)."""
    return server_function("prepay/start", {"id": link_id, "amount": ""}, False)


def checkout_id(checkout_url):
    """The hosted checkout's id, the last segment of `.../pay/<centre>/<id>?lang=..`."""
    return urlparse(checkout_url).path.rstrip("/").split("/")[-1]


def pay_checkout(checkout):
    """The payer enters the approved card on the hosted checkout."""
    return server_function(
        "pay/pay",
        {"id": checkout, "number": CARD_APPROVED, "expiry": EXPIRY, "cvc": CVC, "holder": "Pat"},
        False,
    )


# --------------------------------------------------------------------------- tests

class PaymentLinksConformance(unittest.TestCase):
    maxDiff = 2000

    def setUp(self):
        self.client, self.connection = make_client()
        self.links = self.client.merchant(MERCHANT_ID).payment_links()

    def tearDown(self):
        self.client.close()

    # -- helpers ------------------------------------------------------------------------

    def create(self, *args, **kwargs):
        link = self.links.create_payment_link(link_request(*args, **kwargs))
        method, path, status, _ = self.connection.last()
        self.assertEqual((method, status), ("POST", 201), "create answered %s" % status)
        self.assertTrue(path.endswith("/v2/%s/paymentlinks" % MERCHANT_ID), path)
        self.assertTrue(link.payment_link_id, "paymentLinkId missing")
        return link

    def assert_page_refuses(self, link_id):
        """The pre-payment page starts no payment of a link that is not active: its server
        function answers the app's error NotAllowedNow (server function errors are 5xx)."""
        status, body = start_page(link_id)
        self.assertGreaterEqual(status, 400, "the pre-payment page started a payment: %s %r" % (status, body))
        self.assertEqual(body, "NotAllowedNow", "prepay/start answered %s %r" % (status, body))

    def assert_api_error(self, raised, kind, status):
        error = raised.exception
        self.assertIs(type(error), kind, "%s, not %s" % (type(error).__name__, kind.__name__))
        self.assertEqual(error.status_code, status)
        self.assertTrue(error.errors, "no errors in the %s answer" % status)
        return error

    # -- (a) --------------------------------------------------------------------------------

    def test_01_create_pay_and_read_the_payment(self):
        merchant_reference = reference("paid")
        before = datetime.now(timezone.utc)
        request = link_request(2750, merchant_reference, recipient="Pat Payer")
        sent_expiry = request.payment_link_specific_input.expiration_date
        link = self.links.create_payment_link(request)
        self.assertEqual(self.connection.last()[2], 201)
        self.assertTrue(link.payment_link_id, "paymentLinkId missing")
        self.assertIn("/link/", link.redirection_url or "")
        self.assertTrue(link.redirection_url.startswith(ENV["OPENPSP_URL"].rstrip("/") + "/link/"), link.redirection_url)
        self.assertEqual(link.status, "ACTIVE")
        self.assertFalse(link.is_reusable_link)
        self.assertIsNotNone(link.expiration_date, "expirationDate missing")
        self.assertIsNotNone(link.expiration_date.tzinfo, "expirationDate has no UTC offset")
        self.assertLess(abs((link.expiration_date - sent_expiry).total_seconds()), 1.0,
                        "expirationDate %s is not the one sent (%s)" % (link.expiration_date, sent_expiry))
        self.assertGreater(link.expiration_date, before)
        self.assertEqual(link.recipient_name, "Pat Payer")
        self.assertIsNotNone(link.payment_link_order, "paymentLinkOrder missing")
        self.assertEqual(link.payment_link_order.amount.amount, 2750)
        self.assertEqual(link.payment_link_order.amount.currency_code, "EUR")
        self.assertEqual(link.payment_link_order.merchant_reference, merchant_reference)
        self.assertIsNone(link.payment_id)
        self.assertIsNone(link.qr_code_base64, "a QR code nobody asked for")

        # The payer opens the link and pays on the hosted checkout.
        status, checkout_url = start_page(link.payment_link_id)
        self.assertEqual(status, 200, "prepay/start answered %s: %r" % (status, checkout_url))
        self.assertIsInstance(checkout_url, str)
        self.assertIn("/pay/", checkout_url)
        status, view = pay_checkout(checkout_id(checkout_url))
        self.assertEqual(status, 200, "pay/pay answered %s: %r" % (status, view))
        self.assertEqual(view.get("state"), "Paid", "checkout state %r" % view.get("state"))

        paid = self.links.get_payment_link_by_id(link.payment_link_id)
        self.assertEqual(paid.status, "PAID")
        self.assertEqual(paid.payment_link_id, link.payment_link_id)
        self.assertTrue(paid.payment_id, "paymentId missing on a paid link")
        self.assertEqual(paid.payment_link_order.amount.amount, 2750)

        payment = self.client.merchant(MERCHANT_ID).payments().get_payment(paid.payment_id)
        self.assertEqual(payment.id, paid.payment_id)
        self.assertIn(payment.status, PAID_PAYMENT_STATUSES)
        self.assertEqual(payment.payment_output.amount_of_money.amount, 2750)
        self.assertEqual(payment.payment_output.amount_of_money.currency_code, "EUR")

        # A single-use link is paid once: the page starts no second payment.
        self.assert_page_refuses(link.payment_link_id)
        self.assertEqual(self.links.get_payment_link_by_id(link.payment_link_id).status, "PAID")

    # -- (b) --------------------------------------------------------------------------------

    def test_02_cancel_once_then_conflict(self):
        link = self.create(1200, reference("cancel"))
        self.assertIsNone(self.links.cancel_payment_link_by_id(link.payment_link_id))
        self.assertEqual(self.connection.last()[2], 204)
        cancelled = self.links.get_payment_link_by_id(link.payment_link_id)
        self.assertEqual(cancelled.status, "CANCELLED")
        types = [event.type for event in cancelled.payment_link_events or []]
        self.assertIn("CANCELLED", types, "no CANCELLED event: %r" % types)
        with self.assertRaises(ApiException) as raised:
            self.links.cancel_payment_link_by_id(link.payment_link_id)
        # Without an idempotence key, the SDK maps a 409 to ReferenceException.
        self.assertNotIsInstance(raised.exception, IdempotenceException)
        self.assert_api_error(raised, ReferenceException, 409)
        self.assert_page_refuses(link.payment_link_id)

    # -- (c) --------------------------------------------------------------------------------

    def test_03_a_link_expires_at_its_date(self):
        link = self.create(900, reference("expire"), expires_in=timedelta(seconds=2))
        self.assertEqual(link.status, "ACTIVE")
        time.sleep(3)
        expired = self.links.get_payment_link_by_id(link.payment_link_id)
        self.assertEqual(expired.status, "EXPIRED")
        self.assertIsNone(expired.payment_id)
        self.assert_page_refuses(link.payment_link_id)

    # -- (d) --------------------------------------------------------------------------------

    def test_04_expiration_date_beyond_six_months_is_invalid(self):
        with self.assertRaises(ApiException) as raised:
            self.links.create_payment_link(link_request(500, reference("far"), expires_in=timedelta(days=200)))
        error = self.assert_api_error(raised, ValidationException, 400)
        names = [e.property_name for e in error.errors]
        self.assertIn("paymentLinkSpecificInput.expirationDate", names)

    # -- (e) --------------------------------------------------------------------------------

    def test_05_share_by_email(self):
        link = self.create(1500, reference("share"))
        bad = SharePaymentLinkRequest()
        bad.channel = "EMAIL"
        bad.recipient = "not-an-address"
        bad.locale = "en_GB"
        with self.assertRaises(ApiException) as raised:
            self.links.share(link.payment_link_id, bad)
        error = self.assert_api_error(raised, ValidationException, 400)
        self.assertIn("recipient", [e.property_name for e in error.errors])
        good = SharePaymentLinkRequest()
        good.channel = "EMAIL"
        good.recipient = "pat@payer.example"
        good.locale = "de_DE"
        self.assertIsNone(self.links.share(link.payment_link_id, good))
        self.assertEqual(self.connection.last()[2], 204)
        shared = self.links.get_payment_link_by_id(link.payment_link_id)
        self.assertEqual(shared.status, "ACTIVE")

    # -- (f) --------------------------------------------------------------------------------

    def test_06_another_merchant_and_unknown_links(self):
        link = self.create(700, reference("mine"))
        theirs = self.client.merchant(OTHER_MERCHANT_ID).payment_links()
        with self.assertRaises(ApiException) as raised:
            theirs.get_payment_link_by_id(link.payment_link_id)
        self.assert_api_error(raised, AuthorizationException, 403)
        with self.assertRaises(ApiException) as raised:
            theirs.cancel_payment_link_by_id(link.payment_link_id)
        self.assert_api_error(raised, AuthorizationException, 403)
        self.assertEqual(self.links.get_payment_link_by_id(link.payment_link_id).status, "ACTIVE")
        unknown = "unknown" + uuid.uuid4().hex[:12]
        with self.assertRaises(ApiException) as raised:
            self.links.get_payment_link_by_id(unknown)
        self.assert_api_error(raised, ReferenceException, 404)
        with self.assertRaises(ApiException) as raised:
            self.links.cancel_payment_link_by_id(unknown)
        self.assert_api_error(raised, ReferenceException, 404)

    # -- (g) --------------------------------------------------------------------------------

    def test_07_qr_code_on_request(self):
        link = self.create(3300, reference("qr"), qr_code=True, reusable=True)
        self.assertTrue(link.is_reusable_link)
        self.assertTrue(link.qr_code_base64, "qrCodeBase64 missing")
        image = base64.b64decode(link.qr_code_base64, validate=True)
        self.assertGreater(len(image), 100, "the QR code is too small to be one")
        again = self.links.get_payment_link_by_id(link.payment_link_id)
        self.assertEqual(again.redirection_url, link.redirection_url)


# --------------------------------------------------------------------------- runner

def main(argv):
    missing = [name for name in REQUIRED_ENV if not ENV[name]]
    if missing:
        print("missing environment variables: " + ", ".join(missing), file=sys.stderr)
        return 2
    loader = unittest.TestLoader()
    module = sys.modules[__name__]
    print("OpenPSP Payment Links conformance (onlinepayments-sdk-python3) against %s (merchant %s)"
          % (ENV["OPENPSP_URL"], MERCHANT_ID), flush=True)
    if argv:
        # scripts/sdk-conformance.sh hands every suite the same names: run the ones of this suite.
        ours = [name for name in argv if hasattr(PaymentLinksConformance, name)]
        others = [name for name in argv if name not in ours]
        if others:
            print("not in this suite, not run: " + " ".join(others), flush=True)
        suite = loader.loadTestsFromNames(["PaymentLinksConformance." + name for name in ours], module)
    else:
        suite = loader.loadTestsFromModule(module)
    result = LineResult(redact)
    suite.run(result)
    if os.environ.get("OPENPSP_SDK_TESTS_VERBOSE") and result.details:
        for name, err in result.details:
            print("---- " + name)
            print(redact("".join(traceback.format_exception(*err))))
    print("%d run, %d failed, %d errors, %d skipped"
          % (result.testsRun, len(result.failures), len(result.errors), len(result.skipped)))
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
