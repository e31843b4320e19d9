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
  await page.getByText("Operations", { exact: true }).click();
  await page.getByRole("link", { name: "Payments" }).click();
  await hydrated(page);
  await page.getByRole("textbox", { name: "Merchant reference" }).fill(reference);
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
  await page.getByRole("textbox", { name: "Merchant reference" }).fill(reference);
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
  expect(lines[0]).toBe("payment_id,created,updated,merchant_reference,amount,currency,status,card,brand,channel,authorisation_code,customer_email,payer_fields");
  expect(lines).toHaveLength(3);
  for (const id of ids) expect(text).toContain(id);
  expect(text).toContain("100.00,EUR,uncaptured,555555******4444");
  expect(text).not.toContain("5555555555554444");
  const [xml] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export all as XML" }).click()]);
  const body = await (await import("node:fs/promises")).readFile((await xml.path())!, "utf8");
  expect(body).toContain("<payments>");
  expect(body.match(/<payment>/g)).toHaveLength(2);
});

async function cartPayment(reference: string, mode: "SALE" | "PRE_AUTHORIZATION"): Promise<string> {
  const res = await direct("POST", "/payments", {
    order: {
      amountOfMoney: { amount: 2999, currencyCode: "EUR" },
      references: { merchantReference: reference },
      shoppingCart: {
        items: [
          { orderLineDetails: { productName: "Wool socks", productPrice: 333, quantity: 3 } },
          { orderLineDetails: { productName: "Rain hat", productPrice: 1000, quantity: 2 } },
        ],
      },
    },
    cardPaymentMethodSpecificInput: {
      card: { cardNumber: "4111111111111111", cvv: "123", expiryDate: "1230", cardholderName: "Ada Lovelace" },
      authorizationMode: mode,
    },
  });
  expect(res.status).toBe(201);
  return res.json.payment.id;
}

test("a partial refund by cart line computes the amount as typed, then shows in Activity", async ({ page }) => {
  const id = await cartPayment(`lines-${Date.now()}`, "SALE");
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto(`/operations/payments/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Refund…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("By cart line").check();
  await dialog.getByTestId("qty-0").fill("2");
  await expect(dialog.getByTestId("line-amount-0")).toHaveText("6.66");
  await expect(dialog.getByTestId("lines-total")).toContainText("6.66 EUR");
  await dialog.getByTestId("qty-1").fill("3");
  await expect(dialog.getByText("This is more than the operation allows.").first()).toBeVisible();
  await expect(dialog.getByRole("button", { name: /^Refund / })).toBeDisabled();
  await dialog.getByTestId("qty-1").fill("1");
  await expect(dialog.getByTestId("lines-total")).toContainText("16.66 EUR");
  await dialog.getByRole("button", { name: "Refund 16.66 EUR" }).click();
  await expect(page.getByText("Done: the payment is updated.")).toBeVisible();
  await expect(page.locator("p .status")).toHaveText("Partial refund");
  await page.getByRole("tab", { name: "Cart", exact: true }).click();
  await expect(page.getByRole("row").filter({ hasText: "Wool socks" })).toContainText("Partial refund");
  await page.getByRole("tab", { name: "Activity" }).click();
  await expect(page.getByTestId("activity").getByRole("row").filter({ hasText: "Refund" })).toContainText("16.66 EUR");
  const refunds = await direct("GET", `/payments/${id}/refunds`);
  expect(refunds.json.refunds[0].refundOutput.amountOfMoney.amount).toBe(1666);
});

test("capturing an edited cart beyond the authorisation shows the error and disables the button", async ({ page }) => {
  const id = await cartPayment(`cap-${Date.now()}`, "PRE_AUTHORIZATION");
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto(`/operations/payments/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Capture…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Edit the cart").check();
  await expect(dialog.getByTestId("lines-total")).toContainText("29.99 EUR");
  await dialog.getByTestId("qty-1").fill("3");
  await expect(dialog.getByTestId("line-amount-1")).toHaveText("30.00");
  await expect(dialog.getByTestId("lines-total")).toContainText("39.99 EUR");
  await expect(dialog.locator("#op-lines-error")).toHaveText("This is more than the operation allows.");
  await expect(dialog.getByRole("button", { name: /^Capture / })).toBeDisabled();
  await dialog.getByTestId("qty-1").fill("1");
  await dialog.getByRole("button", { name: "Capture 19.99 EUR" }).click();
  await expect(page.getByText("Done: the payment is updated.")).toBeVisible();
  await expect(page.locator("p .status")).toHaveText("Succeeded");
  const got = await direct("GET", `/payments/${id}`);
  expect(got.json.paymentOutput.acquiredAmount.amount).toBe(1999);
});

test("the dashboard follows the period picked and counts a new payment", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto("/operations/dashboard?period=today");
  await hydrated(page);
  // The server's drawing stays once the page is interactive: a bar per series, each
  // with its tooltip.
  const bars = page.getByTestId("chart-count").locator("rect.bar");
  await expect(bars).toHaveCount(2);
  await expect(bars.first().locator("title")).toContainText(" · ");
  const count = page.getByTestId("kpi-payments");
  const before = Number(await count.textContent());
  await cartPayment(`dash-${Date.now()}`, "SALE");
  await page.getByRole("link", { name: "Last 7 days" }).click();
  await expect(page).toHaveURL(/period=7d/);
  await expect(page.getByRole("link", { name: "Last 7 days" })).toHaveAttribute("aria-current", "page");
  await expect.poll(async () => Number(await count.textContent())).toBeGreaterThanOrEqual(before + 1);
  await page.getByRole("link", { name: "Today" }).click();
  await expect(page).toHaveURL(/period=today/);
  await expect(count).toHaveText(String(before + 1));
  await expect(page.getByTestId("chart-count").locator("rect.bar")).toHaveCount(2);
  await page.getByTestId("chart-count").getByText("Show the numbers").click();
  await expect(page.getByTestId("chart-count").getByRole("table")).toContainText(String(before + 1));
  // A custom range that ends before it starts is named next to the field.
  await page.getByLabel("From (YYYY-MM-DD)").fill("2026-02-01");
  await page.getByLabel("To (YYYY-MM-DD)").fill("2026-01-01");
  await page.getByRole("button", { name: "Show range" }).click();
  await expect(page.locator(".field-invalid")).toContainText("This value is outside the allowed range.");
});

test("the virtual terminal takes a telephone order: approved, then declined, each linked to its payment", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Operations", { exact: true }).click();
  await page.getByRole("link", { name: "Virtual terminal (MOTO)" }).click();
  await hydrated(page);
  await page.getByLabel("Description").fill("Phone order: two mugs");
  await page.getByLabel("Amount").fill("12,345");
  await page.getByLabel("Amount").blur();
  await expect(page.getByText("Enter an amount")).toBeVisible();
  await page.getByLabel("Amount").fill("24.90");
  await page.getByLabel("Card number").fill("4111 1111 1111 1112");
  await page.getByLabel("Card number").blur();
  await expect(page.locator("#pay-number-error")).not.toBeEmpty();
  await page.getByLabel("Card number").fill("4111 1111 1111 1111");
  await expect(page.getByText("Visa")).toBeVisible();
  await expect(page.locator("#pay-number-error")).toBeEmpty();
  await page.getByLabel("Expiry date").fill("12/30");
  await page.getByLabel("Security code").fill("123");
  await page.getByLabel("Card holder").fill("Ada Lovelace");
  await page.getByRole("button", { name: "Send for authorisation" }).click();
  const result = page.getByTestId("moto-result");
  await expect(result).toContainText("Approved: 24.90 EUR, authorisation code");
  await result.getByRole("link", { name: /Open payment/ }).click();
  await hydrated(page);
  await expect(page.getByRole("tabpanel")).toContainText("MOTO");
  await expect(page.locator("p .status")).toHaveText("Succeeded");

  await page.goto("/operations/moto");
  await hydrated(page);
  await page.getByLabel("Merchant reference").fill("phone-declined");
  await page.getByLabel("Amount").fill("15.00");
  await page.getByLabel("Pre-authorisation (capture later)").check();
  await page.getByLabel("Card number").fill("4000 0000 0000 9995");
  await page.getByLabel("Expiry date").fill("12/30");
  await page.getByLabel("Security code").fill("123");
  await page.getByRole("button", { name: "Send for authorisation" }).click();
  await expect(result).toContainText("Declined: 51 Insufficient funds.");
  await expect(result).toContainText("phone-declined");
  await result.getByRole("link", { name: /Open payment/ }).click();
  await hydrated(page);
  await expect(page.locator("p .status")).toHaveText("Declined");
});

test("a filter saved as a template is applied again from the Templates tab", async ({ page }) => {
  const reference = `tpl-${Date.now()}`;
  await preAuthorisation(reference);
  await preAuthorisation(reference);
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto("/operations/payments");
  await hydrated(page);
  await page.getByRole("textbox", { name: "Merchant reference" }).fill(reference);
  await page.getByRole("checkbox", { name: "Uncaptured" }).check();
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("count")).toHaveText("2 payments");
  await hydrated(page);
  await page.getByText("Save as a template").click();
  await page.getByLabel("Template name").fill(`Open ${reference}`);
  await page.getByLabel("Share with the other users of this account").check();
  await page.getByTestId("save-template").getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Template saved: find it in the Templates tab.")).toBeVisible();

  await page.goto("/operations/payments");
  await hydrated(page);
  await page.getByRole("tab", { name: "Templates" }).click();
  const row = page.getByTestId("templates").getByRole("row").filter({ hasText: `Open ${reference}` });
  await expect(row).toContainText("Shared");
  await row.getByRole("link", { name: `Apply Open ${reference}` }).click();
  await expect(page).toHaveURL(new RegExp(`reference=${reference}.*status=uncaptured`));
  await expect(page.getByTestId("count")).toHaveText("2 payments");

  // Filter settings: only the chosen columns show.
  await hydrated(page);
  await page.getByText("Filter settings").click();
  const settings = page.getByTestId("filter-settings");
  const columns = settings.getByRole("group", { name: "Columns shown" });
  await columns.getByRole("checkbox", { name: "Channel" }).uncheck();
  await columns.getByRole("checkbox", { name: "Customer e-mail" }).check();
  await settings.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("payments").getByRole("columnheader", { name: "Channel" })).toHaveCount(0);
  await expect(page.getByTestId("payments").getByRole("columnheader", { name: "Customer e-mail" })).toBeVisible();
});

test("the financial history lists captures and refunds and exports them", async ({ page }) => {
  const reference = `hist-${Date.now()}`;
  const id = await preAuthorisation(reference);
  expect((await direct("POST", `/payments/${id}/capture`, { amount: 4000 })).status).toBe(200);
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Operations", { exact: true }).click();
  await page.getByRole("link", { name: "Financial history" }).click();
  await hydrated(page);
  await page.getByLabel("Kind", { exact: true }).selectOption("capture");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/kind=capture/);
  const row = page.getByTestId("history").getByRole("row").filter({ hasText: reference });
  await expect(row).toContainText("40.00 EUR");
  await expect(row).toContainText("Capture");
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.getByRole("link", { name: "Export all as XLSX" }).click()]);
  expect(xlsx.suggestedFilename()).toMatch(/^operations-\d{8}-\d{6}\.xlsx$/);
});
