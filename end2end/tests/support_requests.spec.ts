import { test, expect } from "@playwright/test";
import { failOnConsoleErrors, hydrated, loginWithPspid, supportSignIn as signIn } from "./helpers";
import { direct } from "./direct";

failOnConsoleErrors(test);

test("raise an incident, find it in the requests, share it with a coworker; another company never sees it", async ({ browser }) => {
  const alice = await browser.newContext();
  const page = await alice.newPage();
  await signIn(page, alice, "alice@demo-retail.test");

  await page.getByRole("link", { name: /Raise an incident/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Raise an incident" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText("This field is required.").first()).toBeVisible();

  const summary = `Terminals offline in Lyon ${Date.now()}`;
  await page.getByLabel("Summary").fill(summary);
  await page.getByLabel("Impact").selectOption("significant");
  await page.getByLabel("Urgency").selectOption("critical");
  const description = page.getByLabel("Description");
  await description.fill("Since 9:00 the shop cannot pay. ");
  await page.getByRole("button", { name: "Bold" }).click();
  await page.keyboard.type("urgent");
  await expect(description).toHaveValue("Since 9:00 the shop cannot pay. **urgent**");
  await expect(page.locator(".editor-preview strong")).toBeVisible();
  await description.fill("Since 9:00 **every** lane is down <script>alert(1)</script>");
  await page.getByRole("button", { name: "Send" }).click();

  await expect(page.getByRole("status")).toContainText(/Request UCSUP-\d+ raised/);
  const reference = (await page.getByRole("status").innerText()).match(/UCSUP-\d+/)![0];
  await expect(page.getByTestId("ticket-summary")).toHaveText(summary);
  await expect(page.getByTestId("ticket-description").locator("strong")).toHaveText("every");
  await expect(page.getByTestId("ticket-description")).toContainText("<script>alert(1)</script>");
  await expect(page.getByTestId("ticket-status")).toHaveText("Backlog");

  // A comment with a mention, through the toolbar.
  await page.getByLabel("Add a comment").fill("Also in Paris ");
  await page.locator("summary[aria-label=Mention]").click();
  await page.getByRole("button", { name: "Alice Martin" }).click();
  await page.getByRole("button", { name: "Comment", exact: true }).click();
  await expect(page.getByTestId("ticket-activity").locator(".mention")).toHaveText("@Alice Martin");

  // My requests.
  await page.goto("/support/requests?scope=mine");
  await hydrated(page);
  const row = page.getByTestId("requests").getByRole("row").filter({ hasText: reference });
  await expect(row).toContainText(summary);
  await expect(row).toContainText("Highest");
  await expect(row).toContainText("Backlog");

  // Bob, a coworker, does not see it until it is shared with Demo Retail.
  const bobContext = await browser.newContext();
  const bob = await bobContext.newPage();
  await signIn(bob, bobContext, "bob@demo-retail.test");
  await bob.goto(`/support/requests/${reference}`);
  await expect(bob.getByRole("alert")).toContainText("Page not found");
  await page.goto(`/support/requests/${reference}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Share with Demo Retail" }).click();
  await expect(page.getByText("Shared with Demo Retail")).toBeVisible();
  await bob.goto(`/support/requests?scope=organization`);
  await hydrated(bob);
  await expect(bob.getByTestId("requests")).toContainText(reference);

  // Carol, of another company, never does: not in the list, not by URL, not by search.
  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, carolContext, "carol@other-corp.test");
  await carol.goto(`/support/requests?status=all&q=${reference}`);
  await hydrated(carol);
  await expect(carol.getByText("No request matches.")).toBeVisible();
  await carol.goto(`/support/requests/${reference}`);
  await expect(carol.getByRole("alert")).toContainText("Page not found");

  // Alice cancels it: it moves to the closed requests.
  await page.getByRole("button", { name: "Cancel the request" }).click();
  await expect(page.getByTestId("ticket-status")).toHaveText("Cancelled");
  await page.goto("/support/requests?status=closed");
  await hydrated(page);
  await expect(page.getByTestId("requests")).toContainText(reference);
  await Promise.all([alice.close(), bobContext.close(), carolContext.close()]);
});

test("a back-office user opens a support ticket from a payment; it carries the payment", async ({ page, context }) => {
  const res = await direct("POST", "/payments", {
    order: { amountOfMoney: { amount: 4200, currencyCode: "EUR" }, references: { merchantReference: `sp10-${Date.now()}` } },
    cardPaymentMethodSpecificInput: {
      card: { cardNumber: "5555555555554444", cvv: "123", expiryDate: "1230", cardholderName: "Grace Hopper" },
      authorizationMode: "PRE_AUTHORIZATION",
    },
  });
  expect(res.status).toBe(201);
  const paymentId: string = res.json.payment.id;

  await loginWithPspid(page, "demo");
  await expect(page).toHaveURL(/\/$/);
  await page.goto(`/operations/payments/${paymentId}`);
  await hydrated(page);
  await page.getByTestId("open-support-ticket").click();

  // Not yet signed in to the portal: the gate keeps where we were going.
  await expect(page).toHaveURL(/\/support\/login\?next=/);
  await signIn(page, context, "alice@demo-retail.test", /\/support\/requests\/new/);
  await expect(page.getByRole("heading", { level: 1, name: "Raise an incident" })).toBeVisible();
  await expect(page.getByLabel("Description")).toHaveValue(new RegExp(`Payment \`${paymentId}\`[\\s\\S]*Status: uncaptured`));
  await page.getByLabel("Summary").fill("Capture refused for this payment");
  await page.getByLabel("Impact").selectOption("minor");
  await page.getByLabel("Urgency").selectOption("high");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByRole("status")).toContainText("raised");
  await expect(page.locator("dd.mono", { hasText: paymentId })).toBeVisible();
  await expect(page.getByTestId("ticket-description")).toContainText(paymentId);
});
