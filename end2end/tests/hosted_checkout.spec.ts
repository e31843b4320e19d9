import { expect, test, Page } from "@playwright/test";
import { hydrated, failOnConsoleErrors } from "./helpers";
import { direct, hostedCheckout } from "./direct";

failOnConsoleErrors(test);

async function typeCard(page: Page, number: string, expiry = "12/30", cvc = "123") {
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry date (MM/YY)").fill(expiry);
  await page.getByLabel("Security code (CVC)").fill(cvc);
  await page.getByLabel("Card holder").fill("Ada Lovelace");
}

test("pay with the 3-D Secure test card, see the final page, and the API shows it captured", async ({ page }) => {
  const checkout = await hostedCheckout({ mode: "SALE" });
  await page.goto(checkout.url);
  await hydrated(page);
  await expect(page.getByTestId("amount")).toHaveText("49.99 EUR");
  await expect(page.getByRole("cell", { name: "Blue mug" })).toBeVisible();
  await expect(page.getByTestId("countdown")).toContainText("This session ends in");
  await typeCard(page, "4000 0000 0000 1091");
  await page.getByRole("button", { name: "Pay 49.99 EUR" }).click();

  await expect(page).toHaveURL(/\/3ds\//);
  await expect(page.getByRole("heading", { name: "3-D Secure verification" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Verification code").fill("1234");
  await page.getByRole("button", { name: "Confirm" }).click();

  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  const receipt = page.getByTestId("receipt");
  await expect(receipt).toContainText("400000******1091");
  await expect(receipt).toContainText("OPSP0001");
  await expect(page.getByRole("link", { name: "Return to merchant" })).toHaveAttribute("href", /RETURNMAC=.*hostedCheckoutId=/);

  const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
  expect(got.status).toBe(200);
  expect(got.json.status).toBe("PAYMENT_CREATED");
  expect(got.json.createdPaymentOutput.payment.status).toBe("CAPTURED");
  expect(got.json.createdPaymentOutput.paymentStatusCategory).toBe("SUCCESSFUL");
});

test("a pre-authorisation paid on the page is pending capture in the API", async ({ page }) => {
  const checkout = await hostedCheckout({ mode: "PRE_AUTHORIZATION" });
  await page.goto(checkout.url);
  await hydrated(page);
  await typeCard(page, "5555 5555 5555 4444");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
  expect(got.json.createdPaymentOutput.payment.status).toBe("PENDING_CAPTURE");
  expect(got.json.createdPaymentOutput.payment.statusOutput.statusCode).toBe(5);
});

test("a declined card shows the refusal and the payer retries with another card", async ({ page }) => {
  // Every value the page puts in the tab's storage, to show that no card number or
  // security code is among them.
  await page.addInitScript(() => {
    const kept: string[] = JSON.parse(window.name || "[]");
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key: string, value: string) {
      kept.push(value);
      window.name = JSON.stringify(kept);
      return setItem.call(this, key, value);
    };
  });
  const checkout = await hostedCheckout({});
  await page.goto(checkout.url);
  await hydrated(page);
  await typeCard(page, "4000 0000 0000 0002");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Your payment was declined: do not honour." })).toBeVisible();
  await expect(page.getByText("You can try again with another card (2 attempts left).")).toBeVisible();
  // The holder and expiry come back as typed; the card number and security code do not.
  await hydrated(page);
  await expect(page.getByLabel("Card holder")).toHaveValue("Ada Lovelace");
  await expect(page.getByLabel("Expiry date (MM/YY)")).toHaveValue("12/30");
  await expect(page.getByLabel("Card number")).toHaveValue("");
  await expect(page.getByLabel("Security code (CVC)")).toHaveValue("");
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  await typeCard(page, "4111 1111 1111 1111");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  await hydrated(page);
  expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
  const kept: string[] = JSON.parse(await page.evaluate(() => window.name));
  expect(kept.length).toBe(2);
  for (const value of kept) {
    expect(value).toContain("Ada Lovelace");
    expect(value.replace(/\D/g, "")).toBe("1230");
  }
  const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
  expect(got.json.createdPaymentOutput.payment.status).toBe("CAPTURED");
});

test("the card form checks the number, expiry and security code as they are typed", async ({ page }) => {
  const checkout = await hostedCheckout({});
  await page.goto(checkout.url);
  await hydrated(page);
  const number = page.getByLabel("Card number");
  await number.fill("4111 1111 1111 1112");
  await expect(page.getByText("This number has a typing mistake.")).toBeVisible();
  await expect(number).toHaveAttribute("aria-invalid", "true");
  await number.fill("3782 822463 10005");
  await expect(page.getByText("American Express", { exact: true })).toBeVisible();
  await expect(page.getByText("This number has a typing mistake.")).toBeHidden();
  await page.getByLabel("Expiry date (MM/YY)").fill("01/20");
  await expect(page.getByText("This card has expired.")).toBeVisible();
  const cvc = page.getByLabel("Security code (CVC)");
  await cvc.fill("123");
  await cvc.blur();
  await expect(page.getByText("The security code has the wrong number of digits for this card.")).toBeVisible();
  // Submitting with errors sends nothing: the checkout stays unpaid.
  await page.getByRole("button", { name: /^Pay / }).click();
  const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
  expect(got.json.status).toBe("IN_PROGRESS");
  expect(got.json.createdPaymentOutput).toBeUndefined();
});

test("without the final page the payer goes back to the return URL with RETURNMAC", async ({ page }) => {
  const checkout = await hostedCheckout({ showResultPage: false });
  await page.goto(checkout.url);
  await hydrated(page);
  await typeCard(page, "4111 1111 1111 1111");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(new RegExp(`/test-cards\\?RETURNMAC=${checkout.returnmac}&hostedCheckoutId=${checkout.id}$`));
});

test("on a 360-pixel phone, in French, with the keyboard alone", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  const checkout = await hostedCheckout({ locale: "fr_FR" });
  await page.goto(checkout.url);
  await hydrated(page);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.getByRole("heading", { name: /Paiement sécurisé/ })).toBeVisible();
  await expect(page.getByTestId("amount")).toHaveText("49,99 EUR");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.getByLabel("Numéro de carte").focus();
  await page.keyboard.type("4111111111111111");
  await page.keyboard.press("Tab");
  await page.keyboard.type("1230");
  await page.keyboard.press("Tab");
  await page.keyboard.type("123");
  await page.keyboard.press("Enter");
  await expect(page.getByRole("heading", { name: "Paiement réussi" })).toBeVisible();
});

test("a payer saves a card and the next checkout offers it", async ({ page }) => {
  const customer = `cust-${Date.now()}`;
  const first = await hostedCheckout({ customerId: customer });
  await page.goto(first.url);
  await hydrated(page);
  await typeCard(page, "5555 5555 5555 4444");
  await page.getByLabel("Save my card for next time").check();
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();

  const second = await hostedCheckout({ customerId: customer, amount: 2999 });
  await page.goto(second.url);
  await hydrated(page);
  const saved = page.getByRole("radio", { name: /Mastercard 555555\*{6}4444 \(12\/30\)/ });
  await expect(saved).toBeChecked();
  await expect(page.getByLabel("Card number")).toBeHidden();
  await page.getByRole("button", { name: "Pay 29.99 EUR" }).click();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  const got = await direct("GET", `/hostedcheckouts/${second.id}`);
  const output = got.json.createdPaymentOutput.payment.paymentOutput.cardPaymentMethodSpecificOutput;
  expect(output.token).toBeTruthy();
  expect(output.card.cardNumber).toBe("555555******4444");

  // Another customer sees no saved card.
  const other = await hostedCheckout({ customerId: `${customer}-other` });
  await page.goto(other.url);
  await hydrated(page);
  await expect(page.getByRole("radio")).toHaveCount(0);
});
