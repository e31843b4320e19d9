import { expect, test } from "@playwright/test";
import { createServer, Server } from "node:http";
import { AddressInfo } from "node:net";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { direct, hostedCheckout } from "./direct";

failOnConsoleErrors(test);

test("an admin generates an API key, sees its secret with a countdown, uses it, then deletes it with the password", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Configuration").click();
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/configuration\/api-keys$/);
  await hydrated(page);
  await page.getByLabel("Key name").fill("Shop backend");
  await page.getByRole("button", { name: "Generate key" }).click();
  await expect(page.getByText("Key Shop backend generated.")).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: "Shop backend" });
  const secret = (await row.getByTestId("secret").textContent())!.trim();
  expect(secret).toHaveLength(44);
  await expect(row.getByRole("timer")).toContainText(/Copy it now: visible for 4:5\d more\./);
  const keyId = (await row.locator("td.mono").textContent())!.trim();
  await expect(row).toContainText("never");

  // The key signs API calls at once, and its last use shows.
  const res = await direct("GET", "/services/testconnection", undefined, { id: keyId, secret });
  expect(res.status).toBe(200);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("row").filter({ hasText: "Shop backend" })).not.toContainText("never");

  // Deleting asks for the password.
  await page.getByRole("row").filter({ hasText: "Shop backend" }).getByRole("button", { name: "Delete" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("Delete the key Shop backend?");
  await dialog.getByLabel("Password").fill("not-my-password");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(dialog.getByText("The current password is incorrect.")).toBeVisible();
  await dialog.getByLabel("Password").fill(process.env.DEMO_PASSWORD ?? "Sunny-Orbit-42!");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByText("Key deleted.")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Shop backend" })).toHaveCount(0);
  const after = await direct("GET", "/services/testconnection", undefined, { id: keyId, secret });
  expect(after.status).toBe(403);
});

test("only admins see Configuration beyond Aliases; others are refused", async ({ page }) => {
  await loginAsUser(page, "operator");
  await expectHome(page);
  // Operators keep their customers' aliases, nothing else of Configuration.
  await page.getByText("Configuration", { exact: true }).click();
  await expect(page.locator(".config-menu .menu-item")).toHaveText(["Aliases"]);
  await page.goto("/configuration/api-keys");
  await hydrated(page);
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this action.");
});

test("webhooks: endpoint, signed deliveries with their response code, re-send, key rotation; the job queue shows the work", async ({ page }) => {
  const received: { signature: string; keyId: string; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ signature: String(req.headers["x-gcs-signature"]), keyId: String(req.headers["x-gcs-keyid"]), body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  try {
    await loginAsUser(page, "admin");
    await expectHome(page);
    await page.goto("/configuration/webhooks");
    await hydrated(page);
    await page.getByLabel("Endpoint URL").fill("ftp://nowhere");
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.getByText("Enter a full address starting with https:// (or http://).")).toBeVisible();
    await page.getByLabel("Endpoint URL").fill(`http://127.0.0.1:${port}/hooks`);
    await page.getByRole("button", { name: "Add endpoint" }).click();
    await expect(page.getByTestId("endpoints")).toContainText(`127.0.0.1:${port}/hooks`);
    await page.getByLabel("Send webhooks").check();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
    await expect(page.getByTestId("signing-key-id")).toHaveText(/^[0-9a-f]{20}$/);
    // The first signing key's secret is shown once, as after a rotation.
    await expect(page.getByTestId("new-secret")).toContainText("New signing secret (shown once)");

    const checkout = await hostedCheckout({});
    expect(checkout.id).toBeTruthy();
    const paid = await direct("POST", "/payments", {
      order: { amountOfMoney: { amount: 2500, currencyCode: "EUR" }, references: { merchantReference: "hook-test" } },
      cardPaymentMethodSpecificInput: { card: { cardNumber: "4111111111111111", cvv: "123", expiryDate: "1230" }, authorizationMode: "SALE" },
    });
    expect(paid.status).toBe(201);
    await expect.poll(() => received.filter((r) => r.body.includes(paid.json.payment.id)).length).toBeGreaterThanOrEqual(2);
    const event = JSON.parse(received.find((r) => r.body.includes(paid.json.payment.id))!.body);
    expect(event.merchantId).toBe("demo");
    expect(event.type).toMatch(/^payment\./);

    await page.reload();
    await hydrated(page);
    const deliveries = page.getByTestId("deliveries");
    await expect(deliveries).toContainText("payment.captured");
    await expect(deliveries.getByRole("row").filter({ hasText: "payment.captured" }).first()).toContainText("delivered");
    await expect(deliveries.getByRole("row").filter({ hasText: "payment.captured" }).first()).toContainText("204");
    const before = received.length;
    await deliveries.getByRole("row").filter({ hasText: "payment.captured" }).first().getByRole("button", { name: "Re-send" }).click();
    await expect(page.getByText("Queued for sending again.")).toBeVisible();
    await expect.poll(() => received.length).toBeGreaterThan(before);

    const oldKey = await page.getByTestId("signing-key-id").textContent();
    await page.getByRole("button", { name: "Rotate signing key" }).click();
    await expect(page.getByTestId("new-secret")).toContainText("New signing secret (shown once)");
    await expect(page.getByTestId("signing-key-id")).not.toHaveText(oldKey!);

    await page.goto("/configuration/jobs?state=done");
    await hydrated(page);
    await expect(page.getByTestId("jobs")).toContainText("webhook_delivery");
    await expect(page.getByRole("link", { name: "done" })).toHaveAttribute("aria-current", "page");

    // Turn webhooks off again for the other tests.
    await page.goto("/configuration/webhooks");
    await hydrated(page);
    await page.getByLabel("Send webhooks").uncheck();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText("Saved.")).toBeVisible();
  } finally {
    server.close();
  }
});

test("payment settings drive the hosted page: one attempt only refuses after the first decline", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto("/configuration/payments");
  await hydrated(page);
  const retries = page.getByLabel("Payment attempts on the payment page");
  await retries.fill("0");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("This value is outside the allowed range.")).toBeVisible();
  await retries.fill("1");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  try {
    const checkout = await hostedCheckout({});
    const payer = await page.context().newPage();
    await payer.goto(checkout.url);
    await hydrated(payer);
    await payer.getByLabel("Card number").fill("4000 0000 0000 9995");
    await payer.getByLabel("Expiry date (MM/YY)").fill("12/30");
    await payer.getByLabel("Security code (CVC)").fill("123");
    await payer.getByRole("button", { name: /^Pay / }).click();
    await expect(payer.getByRole("heading", { name: "Payment refused" })).toBeVisible();
    await expect(payer.getByText("Your payment was declined: insufficient funds.")).toBeVisible();
    const got = await direct("GET", `/hostedcheckouts/${checkout.id}`);
    expect(got.json.createdPaymentOutput.payment.status).toBe("REJECTED");
    expect(got.json.createdPaymentOutput.payment.statusOutput.statusCode).toBe(2);
  } finally {
    // Wait for the save itself: "Saved." is still shown from the save above, so seeing it
    // would let the test end before three attempts are stored again.
    await retries.fill("3");
    const saved = page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/api/"));
    await page.getByRole("button", { name: "Save" }).click();
    expect((await saved).ok()).toBe(true);
  }
});
