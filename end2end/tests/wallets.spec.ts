import { expect, test, Page } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { direct, hostedCheckout } from "./direct";

failOnConsoleErrors(test);

async function googlePayInBrowser(page: Page, on: boolean) {
  await page.goto("/configuration/payment-methods");
  await hydrated(page);
  const box = page.getByTestId("wallet-switches").getByLabel("Google Pay in browser");
  if ((await box.isChecked()) !== on) {
    await box.setChecked(on);
    await expect(page.getByRole("status").filter({ hasText: "The payment method was saved." })).toBeVisible();
  }
  await expect(box).toBeChecked({ checked: on });
}

test("Google Pay in browser: the simulated sheet pays with the test card, the payment says Google Pay", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await googlePayInBrowser(page, true);
  try {
    const checkout = await hostedCheckout({ amount: 3100, showResultPage: true });
    const payer = await page.context().newPage();
    await payer.goto(checkout.url);
    await hydrated(payer);
    await payer.getByRole("button", { name: "Pay with Google Pay" }).click();
    const sheet = payer.getByRole("dialog", { name: "Google Pay (TEST)" });
    await expect(sheet).toBeVisible();
    await expect(sheet.getByTestId("wallet-card")).toContainText("1111");
    await sheet.getByRole("button", { name: "Pay" }).click();
    await expect(payer.getByRole("heading", { name: "Payment successful" })).toBeVisible();
    await payer.close();

    const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
    const id = got.json.createdPaymentOutput.payment.id;
    await page.goto(`/operations/payments/${id}`);
    await hydrated(page);
    // The Operation tab (shown first) names the method; the card is the test card.
    await expect(page.getByText("Google Pay", { exact: true }).first()).toBeVisible();
  } finally {
    await googlePayInBrowser(page, false);
  }
});
