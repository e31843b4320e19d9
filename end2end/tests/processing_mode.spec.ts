import { expect, test } from "@playwright/test";
import { expectHome, hydrated, loginWithPspid, failOnConsoleErrors } from "./helpers";
import { direct, hostedCheckout } from "./direct";

failOnConsoleErrors(test);

async function setProcessingMode(page: import("@playwright/test").Page, label: string) {
  await page.goto("/configuration/payments");
  await hydrated(page);
  await page.getByLabel("Processing for individual transactions").selectOption({ label });
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved" })).toBeVisible();
}

test("offline processing queues a hosted payment, which is captured shortly after", async ({ page, context }) => {
  await loginWithPspid(page, "demo");
  await expectHome(page);
  await page.goto("/configuration/payments");
  await hydrated(page);
  await expect(page.getByText("to time the payment requests we send to our acquirers in three different ways")).toBeVisible();
  await expect(page.getByLabel("Reservation period for card authorisations (days)")).toHaveValue("7");
  await expect(page.getByText("will be released if the reservation period expires before confirmation")).toBeVisible();

  // A reservation period out of bounds is refused next to its field.
  const days = page.getByLabel("Reservation period for card authorisations (days)");
  await days.fill("31");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".field", { has: days }).locator(".field-error")).not.toBeEmpty();
  await days.fill("7");

  await setProcessingMode(page, "Offline: every card payment is queued and authorised shortly after");
  try {
    const checkout = await hostedCheckout({ mode: "SALE" });
    const payer = await context.newPage();
    await payer.goto(checkout.url);
    await hydrated(payer);
    await payer.getByLabel("Card number").fill("4111 1111 1111 1111");
    await payer.getByLabel("Expiry date (MM/YY)").fill("12/30");
    await payer.getByLabel("Security code (CVC)").fill("123");
    await payer.getByLabel("Card holder").fill("Ada Lovelace");
    await payer.getByRole("button", { name: /^Pay / }).click();
    // Not asked of the acquirer yet: the payer sees the pending page (or, if the queued
    // authorisation was answered in between, the final page).
    await expect(payer.getByText(/Your bank has not answered yet\.|Payment successful/).first()).toBeVisible();
    await payer.close();

    const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
    const payment = got.json.createdPaymentOutput.payment;
    expect(["AUTHORIZATION_REQUESTED", "CAPTURED"]).toContain(payment.status);

    // The queued authorisation's job answers within seconds: captured.
    await expect
      .poll(async () => (await direct("GET", `/payments/${payment.id}`)).json.status, { timeout: 30_000 })
      .toBe("CAPTURED");
    await page.goto(`/operations/payments/${payment.id}`);
    await hydrated(page);
    await expect(page.locator(".status").first()).toHaveText("Succeeded");
  } finally {
    // Leave the demo as it was.
    await setProcessingMode(page, "Online with fallback to offline: when the acquirer cannot be reached, the authorisation is queued and asked again");
  }
});
