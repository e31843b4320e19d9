import { expect, test, Page, Browser } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, mailBody, failOnConsoleErrors } from "./helpers";
import { direct } from "./direct";

failOnConsoleErrors(test);

/** A payer's page in a browser of its own (no back-office session), whose console
 * errors land in `errors` (the back office's page is watched by failOnConsoleErrors). */
async function payerPage(browser: Browser, errors: string[]): Promise<Page> {
  const context = await browser.newContext();
  const payer = await context.newPage();
  payer.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text().split("\n")[0]);
  });
  payer.on("pageerror", (e) => errors.push(e.message));
  return payer;
}

async function typeCard(page: Page, number: string) {
  await page.getByLabel("Card number").fill(number);
  await page.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByLabel("Card holder").fill("Ada Lovelace");
}

/** `days` from now as a datetime-local input takes it. */
function localDateTime(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  const two = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}

function csv(name: string, text: string) {
  return { name, mimeType: "text/csv", buffer: Buffer.from(text) };
}

const HEADER = "name;price;quantity;measure;article\n";

test("an invoice with an imported cart is paid from the e-mailed link, then one cart line is refunded", async ({ page, browser }) => {
  const email = `e2e-invoice-${Math.random().toString(36).slice(2, 10)}@example.com`;
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Operations", { exact: true }).click();
  await page.getByRole("link", { name: "Invoices", exact: true }).click();
  await expect(page).toHaveURL(/\/operations\/invoices$/);
  await hydrated(page);
  await page.getByTestId("new-invoice").click();
  await expect(page).toHaveURL(/\/operations\/invoice$/);
  await expect(page.getByRole("heading", { level: 1, name: "Invoice to e-mail" })).toBeVisible();
  await hydrated(page);

  await page.getByLabel("Customer name", { exact: true }).fill("Grace Hopper");
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Due date", { exact: true }).fill(localDateTime(5));

  // A file with one bad cell: every problem by line and column, and nothing imported.
  const importCsv = page.getByLabel("Import CSV");
  await importCsv.setInputFiles(csv("bad-cart.csv", `${HEADER}Coffee beans 1 kg;24.90;2;pcs;CB-1000\nTea box;nine;1;pcs;TB-1\n`));
  const problems = page.getByTestId("import-problems");
  await expect(problems).toContainText("Nothing was imported from bad-cart.csv");
  await expect(problems.getByRole("listitem")).toHaveText(["Line 3, column price: Not a price in the invoice's currency, e.g. 24.90."]);
  await expect(page.getByTestId("cart-empty")).toBeVisible();
  await expect(page.getByTestId("import-preview")).toHaveCount(0);

  // The corrected file: previewed, then used.
  await importCsv.setInputFiles(csv("cart.csv", `${HEADER}Coffee beans 1 kg;24.90;2;pcs;CB-1000\nTea box;9.50;1;pcs;TB-1\n`));
  const preview = page.getByTestId("import-preview");
  await expect(preview).toContainText("2 line items read from cart.csv");
  await expect(preview.getByRole("row").filter({ hasText: "Coffee beans 1 kg" })).toContainText("49.80");
  await expect(problems).toHaveCount(0);
  await preview.getByRole("button", { name: "Use these lines" }).click();
  await expect(preview).toHaveCount(0);
  await expect(page.getByLabel("Name, line 1")).toHaveValue("Coffee beans 1 kg");
  await expect(page.getByLabel("Price, line 2")).toHaveValue("9.50");
  await expect(page.getByTestId("cart-total")).toContainText("59.30");
  const amount = page.getByLabel("Amount", { exact: true });
  await expect(amount).toHaveValue("59.30");
  await expect(amount).toHaveAttribute("readonly", "");

  await page.getByRole("button", { name: "Send invoice" }).click();
  const issued = page.getByTestId("invoice-issued");
  await expect(issued).toContainText("is issued.");
  await expect(issued).toHaveAttribute("data-sent", "true");
  const reference = (await issued.locator("strong").first().innerText()).match(/^Invoice (\S+) is issued\.$/)![1];
  const shownUrl = await page.getByTestId("invoice-url").inputValue();
  const linkId = shownUrl.match(/\/link\/([^/?#]+)/)![1];
  await expect(page.getByTestId("invoice-link")).toHaveAttribute("href", shownUrl);

  // The customer's mail carries the same link.
  const body = await mailBody(page.context(), email, `Invoice ${reference}`);
  expect(body).toContain("59.30");
  const mailed = body.match(/https?:\/\/\S+\/link\/\S+/)![0];
  expect(mailed).toContain(`/link/${linkId}`);

  // In the list: issued, not paid yet.
  await page.getByRole("link", { name: "See all invoices" }).click();
  await expect(page).toHaveURL(/\/operations\/invoices$/);
  await hydrated(page);
  await page.getByLabel("Search by reference, customer or e-mail").fill(email);
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page).toHaveURL(/[?&]q=/);
  const row = page.getByTestId("invoices").getByRole("row").filter({ hasText: email });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(reference);
  await expect(row).toContainText("Issued");

  // The customer opens the mailed link in a browser of their own and pays.
  const payerErrors: string[] = [];
  const customer = await payerPage(browser, payerErrors);
  await customer.goto(mailed);
  await hydrated(customer);
  const summary = customer.getByTestId("prepay-summary");
  await expect(summary).toContainText("Coffee beans 1 kg");
  await expect(summary).toContainText("Tea box");
  await expect(summary.getByTestId("amount")).toHaveText("59.30 EUR");
  await customer.getByRole("button", { name: "Continue to payment (59.30 EUR)" }).click();
  await expect(customer).not.toHaveURL(/\/link\//);
  await hydrated(customer);
  await expect(customer.getByTestId("amount")).toHaveText("59.30 EUR");
  await typeCard(customer, "4111 1111 1111 1111");
  await customer.getByRole("button", { name: "Pay 59.30 EUR" }).click();
  await expect(customer.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  // The link is paid now: it says so and offers no form.
  await customer.goto(mailed);
  await hydrated(customer);
  await expect(customer.getByTestId("prepay-closed")).toHaveAttribute("data-state", "paid");
  await expect(customer.getByTestId("prepay-form")).toHaveCount(0);
  await customer.context().close();
  expect(payerErrors).toEqual([]);

  // Back office: the invoice is paid, with its payment.
  await page.reload();
  await hydrated(page);
  await expect(row).toContainText("Paid");
  await expect(row.getByRole("button", { name: `Cancel ${reference}` })).toHaveCount(0);
  await row.getByRole("link", { name: /^Open payment / }).click();
  await expect(page).toHaveURL(/\/operations\/payments\/[^/]+$/);
  await hydrated(page);
  const paymentId = page.url().split("/").pop()!;
  await expect(page.getByTestId("paid-through")).toHaveText(`Invoice ${reference}`);
  await expect(page.getByTestId("amount")).toHaveText("59.30 EUR");

  // Refund the tea box line.
  await page.getByRole("button", { name: "Refund…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("By cart line").check();
  await expect(dialog.getByTestId("op-lines").getByRole("row").filter({ hasText: "Tea box" })).toBeVisible();
  await dialog.getByTestId("qty-1").fill("1");
  await expect(dialog.getByTestId("line-amount-1")).toHaveText("9.50");
  await expect(dialog.getByTestId("lines-total")).toContainText("9.50 EUR");
  await dialog.getByRole("button", { name: "Refund 9.50 EUR" }).click();
  await expect(page.getByText("Done: the payment is updated.")).toBeVisible();
  await expect(page.locator("p .status")).toHaveText("Partial refund");
  const facts = page.getByRole("tabpanel").locator("dl.facts").last();
  await expect(facts.locator("dt", { hasText: /^Refunded$/ }).locator("+ dd")).toHaveText("9.50 EUR");
  await page.getByRole("tab", { name: "Cart", exact: true }).click();
  await expect(page.getByRole("tabpanel").getByRole("row").filter({ hasText: "Tea box" })).toContainText("Refunded");
  await expect(page.getByRole("tabpanel").getByRole("row").filter({ hasText: "Coffee beans 1 kg" })).not.toContainText("Refunded");
  const refunds = await direct("GET", `/payments/${paymentId}/refunds`);
  expect(refunds.status).toBe(200);
  expect(refunds.json.refunds).toHaveLength(1);
  expect(refunds.json.refunds[0].refundOutput.amountOfMoney.amount).toBe(950);
});

test("a payment link asks an order number in its own form, the payer corrects it and pays with 3-D Secure", async ({ page, browser }) => {
  const name = `E2E spare parts ${Date.now()}`;
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Operations", { exact: true }).click();
  await page.getByRole("link", { name: "Payment links", exact: true }).click();
  await expect(page).toHaveURL(/\/operations\/links$/);
  await hydrated(page);
  await page.getByTestId("add-link").click();
  await expect(page).toHaveURL(/\/operations\/links\/new$/);
  await expect(page.getByRole("heading", { level: 1, name: "New payment link" })).toBeVisible();
  await hydrated(page);

  await page.getByLabel("Link name").fill(name);
  await page.getByLabel("Title", { exact: true }).fill("Spare parts order");
  await page.getByLabel("Amount", { exact: true }).fill("25.00");
  await page.getByRole("button", { name: "Add parameter" }).click();
  const param = page.getByTestId("link-param");
  await expect(param).toHaveCount(1);
  await param.getByLabel("Label", { exact: true }).fill("Order number");
  await param.getByLabel("Name", { exact: true }).fill("order_number");

  // A regular expression that does not compile is refused under its input.
  const pattern = param.getByLabel("Regular expression");
  await pattern.fill("[A-Z");
  await expect(param.getByText(/^This regular expression is not valid: /)).toBeVisible();
  await expect(pattern).toHaveAttribute("aria-invalid", "true");
  await pattern.fill("[A-Z]{3}-[0-9]{4}");
  await expect(param.getByText(/^This regular expression is not valid/)).toHaveCount(0);
  await expect(pattern).toHaveAttribute("aria-invalid", "false");
  const sample = param.getByLabel("Try the pattern");
  await sample.fill("abc");
  await expect(param.getByTestId("link-try-result")).toHaveText("✗ Does not match");
  await sample.fill("ABC-1234");
  await expect(param.getByTestId("link-try-result")).toHaveText("✓ Matches");
  await param.getByLabel("Required parameter").check();

  await page.getByRole("button", { name: "Create payment link" }).click();
  await expect(page).toHaveURL(/\/operations\/links\/(?!new$)[^/]+$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  const share = page.getByTestId("link-share");
  await expect(share.getByRole("img", { name: "QR code of the link" }).locator("svg")).toBeVisible();
  const url = await share.getByTestId("link-url").inputValue();
  expect(url).toMatch(/^https?:\/\/[^/]+\/link\/[^/?#]+$/);
  const linkId = url.split("/").pop()!;
  await expect(share.getByRole("link", { name: "Open" })).toHaveAttribute("href", url);
  // The saved form keeps the parameter.
  await expect(page.getByTestId("link-param").getByLabel("Regular expression")).toHaveValue("[A-Z]{3}-[0-9]{4}");

  // The payer fails the pattern, then passes it.
  const payerErrors: string[] = [];
  const payer = await payerPage(browser, payerErrors);
  await payer.goto(url);
  await hydrated(payer);
  const summary = payer.getByTestId("prepay-summary");
  await expect(summary).toContainText("Spare parts order");
  await expect(summary.getByTestId("amount")).toHaveText("25.00 EUR");
  const order = payer.getByLabel("Order number");
  await order.fill("abc");
  await order.blur();
  const message = payer.getByText("This value does not have the expected form.");
  await expect(message).toBeVisible();
  await expect(order).toHaveAttribute("aria-invalid", "true");
  await order.fill("ABC-1234");
  await expect(message).toHaveCount(0);
  await expect(order).toHaveAttribute("aria-invalid", "false");
  await payer.getByRole("button", { name: "Continue to payment (25.00 EUR)" }).click();
  await expect(payer).not.toHaveURL(/\/link\//);
  await hydrated(payer);
  await typeCard(payer, "4000 0000 0000 1091");
  await payer.getByRole("button", { name: "Pay 25.00 EUR" }).click();
  await expect(payer).toHaveURL(/\/3ds\//);
  await expect(payer.getByRole("heading", { name: "3-D Secure verification" })).toBeVisible();
  await hydrated(payer);
  await payer.getByLabel("Verification code").fill("1234");
  await payer.getByRole("button", { name: "Confirm" }).click();
  await expect(payer.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  await payer.context().close();
  expect(payerErrors).toEqual([]);

  // The back office shows what the payer entered on the payment.
  const link = await direct("GET", `/paymentlinks/${linkId}`);
  expect(link.status).toBe(200);
  expect(link.json.status).toBe("PAID");
  const paymentId: string = link.json.paymentId;
  expect(paymentId).toBeTruthy();
  await page.goto(`/operations/payments/${paymentId}`);
  await hydrated(page);
  await expect(page.getByTestId("paid-through")).toHaveText(`Payment link ${name}`);
  await page.getByRole("tab", { name: "Customer information" }).click();
  const entered = page.getByTestId("payer-fields");
  await expect(entered.locator("dt")).toHaveText(["order_number"]);
  await expect(entered.locator("dd")).toHaveText(["ABC-1234"]);
});

test("an API link past its expiry shows the closed page and no form", async ({ page }) => {
  const created = await direct("POST", "/paymentlinks", {
    order: {
      amountOfMoney: { amount: 1500, currencyCode: "EUR" },
      references: { merchantReference: `e2e-expiring-${Date.now()}` },
    },
    paymentLinkSpecificInput: {
      description: "Expires in two seconds",
      expirationDate: new Date(Date.now() + 2_000).toISOString(),
    },
  });
  expect(created.status).toBe(201);
  expect(created.json.status).toBe("ACTIVE");
  const url: string = created.json.redirectionUrl;
  await page.waitForTimeout(3_000);

  await page.goto(url);
  await hydrated(page);
  const closed = page.getByTestId("prepay-closed");
  await expect(closed).toHaveAttribute("data-state", "expired");
  await expect(closed).toContainText("This payment link has expired.");
  await expect(page.getByTestId("prepay-form")).toHaveCount(0);
  await expect(page.getByRole("button", { name: /Continue to payment/ })).toHaveCount(0);
  await expect(page.getByRole("textbox")).toHaveCount(0);
  const got = await direct("GET", `/paymentlinks/${created.json.paymentLinkId}`);
  expect(got.json.status).toBe("EXPIRED");
});
