import { expect, test, Page } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { hostedCheckout } from "./direct";

failOnConsoleErrors(test);

async function openMethods(page: Page) {
  await page.getByText("Configuration", { exact: true }).click();
  await page.getByRole("link", { name: "Payment methods" }).click();
  await expect(page).toHaveURL(/\/configuration\/payment-methods$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Payment methods" })).toBeVisible();
}

function amexRow(page: Page) {
  return page.getByTestId("payment-methods").getByRole("row").filter({ hasText: "American Express" });
}

test("deactivating American Express takes it off the hosted page until it is reactivated", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await openMethods(page);
  await expect(amexRow(page)).toContainText("Active");

  // A bad country list is refused next to its field, before anything is sent.
  await page.getByRole("button", { name: "Edit American Express" }).click();
  const edit = page.getByRole("form", { name: "American Express: currencies and countries" });
  await edit.getByLabel("Countries", { exact: true }).fill("BE, XX");
  await expect(page.locator("#method-countries-error")).toHaveText(
    "Enter ISO 3166 two-letter country codes separated by commas (e.g. BE, NL).",
  );
  await edit.getByRole("button", { name: "Cancel" }).click();

  // Off.
  await page.getByRole("button", { name: "Deactivate American Express" }).click();
  await expect(page.getByRole("status").filter({ hasText: "The payment method was saved." })).toBeVisible();
  await expect(amexRow(page)).toContainText("Inactive");

  // A payer's hosted page no longer lists it, and refuses an Amex card as typed.
  const checkout = await hostedCheckout({ amount: 2500 });
  const payer = await page.context().newPage();
  await payer.goto(checkout.url);
  await hydrated(payer);
  const brands = payer.locator(".pay-brands");
  await expect(brands).toContainText("Visa");
  await expect(brands).not.toContainText("American Express");
  await payer.getByLabel("Card number").fill("3782 822463 10005");
  await payer.getByLabel("Card number").blur();
  await expect(payer.getByText("This card brand is not accepted here. Please use another card.")).toBeVisible();
  await payer.close();

  // On again: listed on a new hosted page.
  await page.getByRole("button", { name: "Activate American Express" }).click();
  await expect(amexRow(page)).toContainText("Active");
  await expect(amexRow(page)).not.toContainText("Inactive");
  const again = await hostedCheckout({ amount: 2500 });
  const payer2 = await page.context().newPage();
  await payer2.goto(again.url);
  await hydrated(payer2);
  await expect(payer2.locator(".pay-brands")).toContainText("American Express");
  await payer2.close();
});
