import { expect, test, Page } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { direct, hostedCheckout } from "./direct";

failOnConsoleErrors(test);

async function typeCard(page: Page, number: string) {
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByLabel("Card holder").fill("Ada Lovelace");
}

test("a maximum-amount rule blocks a hosted payment and the payment page names the rule", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);

  // Advanced → Fraud detection.
  await page.getByText("Advanced", { exact: true }).click();
  await page.getByRole("link", { name: "Fraud detection" }).click();
  await expect(page).toHaveURL(/\/advanced\/fraud$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Fraud detection" })).toBeVisible();
  await expect(page.getByTestId("ip-database")).toContainText("none");

  // A bad value is refused next to its field, before anything is sent.
  const add = page.getByRole("form", { name: "Add a rule" });
  await add.getByLabel("Rule", { exact: true }).selectOption("card_country");
  await add.getByLabel("Country code (ISO 3166-1, e.g. NL)").fill("XX");
  await add.getByRole("button", { name: "Add rule" }).click();
  await expect(page.locator("#fraud-country-error")).toHaveText("Enter a two-letter country code (ISO 3166-1), e.g. NL.");

  // Block payments above 9,000.00 EUR.
  await add.getByLabel("Rule", { exact: true }).selectOption("max_amount");
  await add.getByLabel("Maximum amount", { exact: true }).fill("9000");
  await add.getByLabel("Currency", { exact: true }).fill("EUR");
  await add.getByRole("radio", { name: "Block" }).check();
  await add.getByRole("button", { name: "Add rule" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rule added: maximum amount 9000.00 EUR." })).toBeVisible();
  const rules = page.getByTestId("fraud-rules");
  await expect(rules.getByRole("row").filter({ hasText: "maximum amount 9000.00 EUR" })).toBeVisible();

  // The test box screens typed values without paying.
  const box = page.getByRole("form", { name: "Test a payment" });
  await box.getByLabel("Amount").fill("9500");
  await box.getByLabel("Currency").fill("EUR");
  await box.getByRole("button", { name: "Test" }).click();
  await expect(page.getByTestId("fraud-test-result")).toHaveAttribute("data-result", "denied");
  await expect(page.getByTestId("fraud-test-result")).toContainText("maximum amount 9000.00 EUR");

  // A payer's hosted payment above it is refused, without telling the payer the rule.
  const checkout = await hostedCheckout({ amount: 900_001 });
  const payer = await page.context().newPage();
  await payer.goto(checkout.url);
  await hydrated(payer);
  await typeCard(payer, "4111 1111 1111 1111");
  await payer.getByRole("button", { name: /^Pay / }).click();
  await expect(payer.getByRole("alert").filter({ hasText: "Your payment was declined: refused by the bank." })).toBeVisible();
  await expect(payer.locator("body")).not.toContainText("maximum amount");
  await payer.close();
  const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
  const payment = got.json.createdPaymentOutput.payment;
  expect(payment.paymentOutput.cardPaymentMethodSpecificOutput.fraudResults.fraudServiceResult).toBe("denied");

  // The payments list filters it; its page names the rule.
  await page.goto("/operations/payments?fraud=denied");
  await hydrated(page);
  await expect(page.getByLabel("Fraud screening")).toHaveValue("denied");
  await page.goto(`/operations/payments/${payment.id}`);
  await hydrated(page);
  const screening = page.getByTestId("fraud-screening");
  await expect(screening).toHaveAttribute("data-result", "denied");
  await expect(screening).toContainText("maximum amount 9000.00 EUR");

  // The rule goes; the same payment would pass.
  await page.goto("/advanced/fraud");
  await hydrated(page);
  await page.getByRole("button", { name: "Delete rule: maximum amount 9000.00 EUR" }).click();
  await page.getByTestId("fraud-rules").getByRole("button", { name: "Delete", exact: true }).click();
  await expect(page.getByRole("status").filter({ hasText: "Rule deleted." })).toBeVisible();
  await expect(page.getByText("No rules yet")).toBeVisible();
});
