import { expect, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { direct } from "./direct";

failOnConsoleErrors(test);

test("the audit log shows a payment settings change with before → after and a refund, filters them and exports them", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);

  // A payment settings change: one more attempt on the payment page.
  await page.goto("/configuration/payments");
  await hydrated(page);
  const retries = page.getByLabel("Payment attempts on the payment page");
  const before = Number(await retries.inputValue());
  const after = before >= 10 ? before - 1 : before + 1;
  await retries.fill(String(after));
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();

  try {
    // A refund of a demo payment from its page.
    const reference = `audit-${Date.now()}`;
    const sale = await direct("POST", "/payments", {
      order: { amountOfMoney: { amount: 4200, currencyCode: "EUR" }, references: { merchantReference: reference } },
      cardPaymentMethodSpecificInput: {
        card: { cardNumber: "4111111111111111", cvv: "123", expiryDate: "1230", cardholderName: "Ada Lovelace" },
        authorizationMode: "SALE",
      },
    });
    expect(sale.status).toBe(201);
    const id: string = sale.json.payment.id;
    await page.goto(`/operations/payments/${id}`);
    await hydrated(page);
    await page.getByRole("button", { name: "Refund…" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("Amount to refund").fill("5.00");
    await dialog.getByRole("button", { name: "Refund 5.00 EUR" }).click();
    await expect(page.getByText("Partial refund", { exact: true })).toBeVisible();

    // Configuration → Audit log.
    await page.getByText("Configuration", { exact: true }).click();
    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page).toHaveURL(/\/configuration\/audit-log$/);
    await hydrated(page);
    await expect(page.getByRole("heading", { level: 1, name: "Audit log" })).toBeVisible();
    const log = page.getByTestId("audit-log");
    const change = log.getByRole("row").filter({ hasText: `retry_count: ${before} → ${after}` }).first();
    await expect(change).toContainText("config.payment_settings");
    await expect(change).toContainText("Configuration");
    await expect(change).toContainText("admin");
    const refund = log.getByRole("row").filter({ hasText: id }).filter({ hasText: "payment.refund" });
    await expect(refund).toHaveCount(1);
    await expect(refund).toContainText("Payment operations");
    await expect(refund).toContainText("5.00 EUR");
    await expect(refund).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);

    // The filters travel in the URL.
    await page.getByLabel("Action", { exact: true }).selectOption({ label: "Payment operations" });
    await page.getByLabel("Details contain").fill(id);
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/family=payment/);
    await expect(page).toHaveURL(new RegExp(`text=${id}`));
    await expect(log.getByRole("row").filter({ hasText: "payment.refund" })).toHaveCount(1);
    await expect(log).not.toContainText("config.payment_settings");
    await page.getByLabel("From (YYYY-MM-DD)").fill("2026-13-40");
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page.getByText("Enter a date as YYYY-MM-DD.")).toBeVisible();
    await expect(page.getByLabel("From (YYYY-MM-DD)")).toHaveAttribute("aria-invalid", "true");
    await page.getByRole("link", { name: "Clear" }).click();
    await hydrated(page);

    // The download holds the filtered rows, with their before → after.
    await page.getByLabel("Action", { exact: true }).selectOption({ label: "Configuration" });
    await page.getByRole("button", { name: "Search" }).click();
    await expect(page).toHaveURL(/family=config/);
    const [csv] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export all as CSV" }).click()]);
    expect(csv.suggestedFilename()).toMatch(/^audit-log-\d{8}-\d{6}\.csv$/);
    const text = readFileSync((await csv.path())!, "utf8");
    // The dates are in the user's zone, named in the header.
    expect(text.split("\r\n")[0]).toMatch(/^date \([A-Za-z_\/+-]+\),user,ip,action,action_label,detail$/);
    expect(text).toContain(`retry_count: ${before} → ${after}`);
    expect(text).not.toContain("payment.refund");
  } finally {
    await page.goto("/configuration/payments");
    await hydrated(page);
    await page.getByLabel("Payment attempts on the payment page").fill(String(before));
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
  }
});

test("the audit log pages through its entries and back, the page size kept", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto("/configuration/audit-log?size=1");
  await hydrated(page);
  const first = page.getByRole("navigation", { name: /^Page 1 of \d+$/ });
  await expect(first.getByRole("link", { name: "Previous" })).toHaveCount(0);
  await expect(page.getByTestId("audit-log").getByRole("row")).toHaveCount(2);
  await first.getByRole("link", { name: "Next" }).click();
  await expect(page).toHaveURL(/[?&]page=2(&|$)/);
  await expect(page).toHaveURL(/[?&]size=1(&|$)/);
  const second = page.getByRole("navigation", { name: /^Page 2 of \d+$/ });
  await expect(second.getByRole("link", { name: "Previous" })).toBeVisible();
  await expect(page.getByTestId("audit-log").getByRole("row")).toHaveCount(2);
  await second.getByRole("link", { name: "Previous" }).click();
  await expect(page.getByRole("navigation", { name: /^Page 1 of \d+$/ })).toBeVisible();
});

test("operators have no audit log; the Support menu leads to pages with content", async ({ page }) => {
  await loginAsUser(page, "operator");
  await expectHome(page);
  await expect(page.getByRole("link", { name: "Audit log" })).toHaveCount(0);
  await page.goto("/configuration/audit-log");
  await hydrated(page);
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this action.");
  const download = await page.request.get("/configuration/audit-log/export.csv");
  expect(download.status()).toBe(403);

  await page.getByRole("navigation", { name: "Account menu" }).getByText("Support", { exact: true }).click();
  await expect(page.getByRole("link", { name: "FAQ" })).toHaveAttribute("href", "/support/articles");
  await expect(page.getByRole("link", { name: "Contact details" })).toHaveAttribute("href", "/support/contact");
  await expect(page.getByRole("link", { name: "Support portal" })).toHaveAttribute("href", "/support");
  await page.getByRole("link", { name: "Integration manuals" }).click();
  await expect(page).toHaveURL(/\/support-info\/manuals$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Integration manuals" })).toBeVisible();
  const openapi = page.getByRole("link", { name: "OpenAPI description of every endpoint (JSON)" });
  await expect(openapi).toHaveAttribute("href", "/v2/openapi.json");
  expect((await page.request.get("/v2/openapi.json")).status()).toBe(200);
  await expect(page.getByRole("link", { name: "Receiving webhooks" })).toHaveAttribute("href", "/support/articles/webhooks");
  // A guide opens in the support portal, behind its own sign-in.
  await page.getByRole("link", { name: "Receiving webhooks" }).click();
  await expect(page).toHaveURL(/\/support\/login\?next=%2Fsupport%2Farticles%2Fwebhooks$/);
});
