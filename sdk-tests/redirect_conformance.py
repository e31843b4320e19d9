"""Redirect payments through the official Direct Python SDK (issue 16): iDEAL created with
redirectPaymentMethodSpecificInput, the payer's approval posted on the simulated bank page
with urllib, the payment read back through the SDK. scripts/sdk-conformance.sh turns iDEAL
on for sdkshop (EUR, NL)."""

import urllib.error
import urllib.parse
import urllib.request
import uuid

from ingenico.direct.sdk.domain.address import Address
from ingenico.direct.sdk.domain.amount_of_money import AmountOfMoney
from ingenico.direct.sdk.domain.create_payment_request import CreatePaymentRequest
from ingenico.direct.sdk.domain.customer import Customer
from ingenico.direct.sdk.domain.order import Order
from ingenico.direct.sdk.domain.order_references import OrderReferences
from ingenico.direct.sdk.domain.redirect_payment_method_specific_input import RedirectPaymentMethodSpecificInput
from ingenico.direct.sdk.domain.redirect_payment_product809_specific_input import RedirectPaymentProduct809SpecificInput
from ingenico.direct.sdk.domain.redirection_data import RedirectionData

IDEAL = 809
RETURN_URL = "https://sdk.example/back"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Keeps the bank page's 303 to the merchant's return URL unfollowed."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def ideal_payment(amount, merchant_reference):
    money = AmountOfMoney()
    money.amount = amount
    money.currency_code = "EUR"
    references = OrderReferences()
    references.merchant_reference = merchant_reference
    address = Address()
    address.country_code = "NL"
    customer = Customer()
    customer.billing_address = address
    customer.locale = "nl_NL"
    order = Order()
    order.amount_of_money = money
    order.references = references
    order.customer = customer
    redirection = RedirectionData()
    redirection.return_url = RETURN_URL
    issuer = RedirectPaymentProduct809SpecificInput()
    issuer.issuer_id = "INGBNL2A"
    method = RedirectPaymentMethodSpecificInput()
    method.payment_product_id = IDEAL
    method.redirection_data = redirection
    method.payment_product809_specific_input = issuer
    request = CreatePaymentRequest()
    request.order = order
    request.redirect_payment_method_specific_input = method
    return request


def post_decision(redirect_url, decision):
    """Posts the bank page's form as a browser would: (status, Location)."""
    page = urllib.request.urlopen(redirect_url, timeout=10)
    html = page.read().decode("utf-8")
    if 'name="decision" value="%s"' % decision not in html:
        raise AssertionError("the bank page has no %s button" % decision)
    form_url = redirect_url.split("?")[0]
    data = urllib.parse.urlencode({"decision": decision, "lang": "en"}).encode()
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        answer = opener.open(urllib.request.Request(form_url, data=data, method="POST"), timeout=10)
        return answer.status, answer.headers.get("Location", "")
    except urllib.error.HTTPError as redirect:
        return redirect.code, redirect.headers.get("Location", "")


class RedirectConformance:
    """Mixed into DirectConformance (self.payments is the merchant's payments client)."""

    def test_32_ideal_redirect(self):
        created = self.payments.create_payment(ideal_payment(1250, "ideal-" + uuid.uuid4().hex[:12]))
        payment = created.payment
        self.assertEqual(payment.status, "REDIRECTED")
        self.assertEqual(payment.status_output.status_code, 46)
        action = created.merchant_action
        self.assertIsNotNone(action, "merchantAction missing")
        self.assertEqual(action.action_type, "REDIRECT")
        self.assertTrue(action.redirect_data.returnmac, "RETURNMAC missing")
        url = action.redirect_data.redirect_url
        self.assertTrue(url and "/pay/bank/" in url, "redirectURL %r" % url)

        status, location = post_decision(url, "approve")
        self.assertEqual(status, 303)
        self.assertTrue(location.startswith(RETURN_URL + "?"), "back to %r" % location)
        back = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
        self.assertEqual(back.get("RETURNMAC"), [action.redirect_data.returnmac])
        self.assertEqual(back.get("paymentId"), [payment.id])

        paid = self.payments.get_payment(payment.id)
        self.assertEqual(paid.status, "CAPTURED")
        self.assertEqual(paid.status_output.status_category, "COMPLETED")
        self.assertEqual(paid.payment_output.amount_of_money.amount, 1250)
