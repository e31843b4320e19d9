import { expect, test } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { direct } from "./direct";

failOnConsoleErrors(test);

async function preAuthorisation(reference: string): Promise<string> {
  const res = await direct("POST", "/payments", {
    order: { amountOfMoney: { amount: 10000, currencyCode: "EUR" }, references: { merchantReference: reference } },
    cardPaymentMethodSpecificInput: {
      card: { cardNumber: "5555555555554444", cvv: "123", expiryDate: "1230", cardholderName: "Grace Hopper" },
      authorizationMode: "PRE_AUTHORIZATION",
    },
  });
  expect(res.status).toBe(201);
  return res.json.payment.id;
}

test("an admin finds a payment, captures part of it within the limit, then refunds part", async ({ page }) => {
  const reference = `ops-${Date.now()}`;
  const id = await preAuthorisation(reference);
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByRole("link", { name: "Payments" }).click();
  await hydrated(page);
  await page.getByLabel("Merchant reference").fill(reference);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`reference=${reference}`));
  const row = page.getByTestId("payments").getByRole("row").filter({ hasText: reference });
  await expect(row).toContainText("Uncaptured");
  await expect(row).toContainText("100.00 EUR");
  await expect(row).toContainText("555555******4444");
  await row.getByRole("link", { name: id }).click();
  await hydrated(page);

  await expect(page.getByRole("heading", { name: /Payment information/ })).toBeVisible();
  await page.getByRole("button", { name: "Capture…" }).click();
  const dialog = page.getByRole("dialog");
  const amount = dialog.getByLabel("Amount to capture");
  await expect(amount).toHaveValue("100.00");
  await amount.fill("150.00");
  await expect(dialog.getByText("This is more than the operation allows.")).toBeVisible();
  await expect(dialog.getByRole("button", { name: "Capture 150.00 EUR" })).toBeDisabled();
  await amount.fill("60.00");
  await dialog.getByLabel("Final capture: release the rest of the authorisation").check();
  await dialog.getByRole("button", { name: "Capture 60.00 EUR" }).click();
  await expect(page.getByText("Done: the payment is updated.")).toBeVisible();
  await expect(page.getByRole("tabpanel")).toContainText("60.00 EUR");
  await expect(page.getByText("Succeeded", { exact: true })).toBeVisible();
  await expect(page.getByRole("button", { name: "Capture…" })).toHaveCount(0);

  await page.getByRole("button", { name: "Refund…" }).click();
  await expect(dialog.getByLabel("Amount to refund")).toHaveValue("60.00");
  await dialog.getByLabel("Amount to refund").fill("10.00");
  await dialog.getByRole("button", { name: "Refund 10.00 EUR" }).click();
  await expect(page.getByText("Partial refund", { exact: true })).toBeVisible();
  await page.getByRole("tab", { name: "Activity" }).click();
  const activity = page.getByTestId("activity");
  await expect(activity.getByRole("row").filter({ hasText: "Capture" })).toContainText("admin");
  await expect(activity.getByRole("row").filter({ hasText: "Refund" })).toContainText("10.00 EUR");

  const got = await direct("GET", `/payments/${id}`);
  expect(got.json.status).toBe("CAPTURED");
  expect(got.json.paymentOutput.acquiredAmount.amount).toBe(6000);
  const refunds = await direct("GET", `/payments/${id}/refunds`);
  expect(refunds.json.refunds).toHaveLength(1);

  // The list filters by status, and the filter is in the URL.
  await page.goto("/operations/payments");
  await hydrated(page);
  await page.getByLabel("Merchant reference").fill(reference);
  await page.getByRole("checkbox", { name: "Partial refund" }).check();
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/status=partial_refund/);
  await expect(page.getByTestId("payments")).toContainText(reference);
  await page.getByLabel("From (YYYY-MM-DD)").fill("2026-13-40");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByText("Enter a date as YYYY-MM-DD.")).toBeVisible();
});

test("read-only users see payments without operation buttons", async ({ page }) => {
  const reference = `view-${Date.now()}`;
  const id = await preAuthorisation(reference);
  await loginAsUser(page, "viewer");
  await expectHome(page);
  await page.goto(`/operations/payments/${id}`);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: /Payment information/ })).toBeVisible();
  await expect(page.getByTestId("operations").getByRole("button")).toHaveCount(0);
});

test("the whole filtered list exports as CSV and XML, dates in the user's zone", async ({ page }) => {
  const reference = `export-${Date.now()}`;
  const ids = [await preAuthorisation(reference), await preAuthorisation(reference)];
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto(`/operations/payments?reference=${reference}`);
  await hydrated(page);
  const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export all as CSV" }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^payments-\d{8}-\d{6}\.csv$/);
  const text = await (await import("node:fs/promises")).readFile((await csv.path())!, "utf8");
  const lines = text.trim().split("\r\n");
  expect(lines[0]).toBe("payment_id,created,updated,merchant_reference,amount,currency,status,card,brand,channel,authorisation_code,customer_email");
  expect(lines).toHaveLength(3);
  for (const id of ids) expect(text).toContain(id);
  expect(text).toContain("100.00,EUR,uncaptured,555555******4444");
  expect(text).not.toContain("5555555555554444");
  const [xml] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export all as XML" }).click()]);
  const body = await (await import("node:fs/promises")).readFile((await xml.path())!, "utf8");
  expect(body).toContain("<payments>");
  expect(body.match(/<payment>/g)).toHaveLength(2);
});
