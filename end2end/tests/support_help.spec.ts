import { test, expect } from "@playwright/test";
import { failOnConsoleErrors, hydrated, mailBody, supportSignIn as signIn } from "./helpers";

failOnConsoleErrors(test);

test("search the knowledge base with a typo, read the article, and raise its request type", async ({ page, context }) => {
  await signIn(page, context, "bob@demo-retail.test");
  // The announcement banner, dismissed for Bob only.
  const banner = page.getByTestId("announcement");
  await expect(banner).toContainText("Welcome to the OpenPSP support portal");
  await banner.getByRole("button", { name: "Dismiss" }).click();
  await expect(banner).toHaveCount(0);
  await page.reload();
  await hydrated(page);
  await expect(page.getByTestId("announcement")).toHaveCount(0);

  await page.getByLabel("Search for information").fill("refnud a paymnet");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(/\/support\/articles\?q=/);
  await expect(page.getByTestId("kb-corrected")).toContainText("refund payment");
  const first = page.getByTestId("kb-results").getByRole("listitem").first();
  await expect(first.locator("mark").first()).toBeVisible();
  await expect(first.locator(".kb-snippet mark").first()).toBeVisible();
  await first.getByRole("link").click();
  await expect(page.getByTestId("article-title")).toHaveText("Refunds and cancellations");
  await expect(page.getByTestId("article-body")).toContainText("refund");
  await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await hydrated(page);
  await page.getByRole("link", { name: "Question about a payment" }).click();
  await expect(page).toHaveURL(/\/support\/requests\/new\?kind=request&type=\d+/);
  await expect(page.getByRole("heading", { level: 1, name: "Submit a request" })).toBeVisible();

  // "Contact us" leaves a message the support team answers as a request.
  await page.goto("/support");
  await page.getByRole("link", { name: "Contact us" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contact us" })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator("#contact-subject ~ .field-error")).toHaveText("This field is required.");
  await page.getByLabel("About").selectOption({ label: "Ingenico 360" });
  await page.getByLabel("Subject").fill("Monthly statement by e-mail");
  await page.getByLabel("Message").fill("Could the October statement be mailed to our accountant?");
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.getByText(/Request UCSUP-\d+ raised/)).toBeVisible();
  await expect(page.getByTestId("ticket-summary")).toHaveText("Monthly statement by e-mail");
  await expect(page.getByText("Ingenico 360 · Report or export")).toBeVisible();
});

test("the virtual agent answers with its source and creates a pre-filled ticket", async ({ page, context }) => {
  await signIn(page, context, "alice@demo-retail.test");
  await page.getByRole("link", { name: /Chat with the virtual service agent/ }).first().click();
  await hydrated(page);
  await page.getByLabel("Your question").fill("How do I verify the signature of a webhook?");
  await page.getByRole("button", { name: "Ask" }).click();
  const answer = page.getByTestId("chat-answer").first();
  await expect(answer.getByTestId("chat-sources").getByRole("link").first()).toHaveText("Receiving webhooks");
  await expect(answer.locator("mark").first()).toBeVisible();
  await expect(answer.getByTestId("chat-suggestion")).toContainText("API or webhook problem");
  await page.getByTestId("chat-create-ticket").click();
  await expect(page).toHaveURL(/\/support\/requests\/new\?kind=incident/);
  await expect(page.getByRole("heading", { level: 1, name: "Raise an incident" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByLabel("Summary")).toHaveValue("How do I verify the signature of a webhook?");
  await expect(page.getByLabel("Description")).toHaveValue(/Asked the virtual service agent[\s\S]*read: Receiving webhooks/);
  await expect(page.getByLabel("Request type")).toHaveValue(/\d+/);
  await expect(page.getByLabel("Request type").locator("option:checked")).toContainText("API or webhook problem");
});

test("raise an incident with an attachment; an agent assigns, notes, replies and resolves; the reporter is mailed and reopens", async ({ browser }) => {
  const aliceContext = await browser.newContext();
  const alice = await aliceContext.newPage();
  await signIn(alice, aliceContext, "alice@demo-retail.test");
  await alice.goto("/support/requests/new?kind=incident");
  await hydrated(alice);
  const summary = `Printer jams at lane 3 ${Date.now()}`;
  await alice.getByLabel("Summary").fill(summary);
  await alice.getByLabel("Impact").selectOption("moderate");
  await alice.getByLabel("Urgency").selectOption("high");
  await alice.getByLabel("Description").fill("Every receipt jams since the update.");
  await alice.getByLabel("Attach files").setInputFiles({ name: "lane3.txt", mimeType: "text/plain", buffer: Buffer.from("2026-11-22 09:12 jam at lane 3\n") });
  await alice.getByRole("button", { name: "Send" }).click();
  await expect(alice).toHaveURL(/\/support\/requests\/UCSUP-\d+\?attached=1&raised=1/);
  const reference = alice.url().match(/UCSUP-\d+/)![0];
  await expect(alice.getByText(`Request ${reference} raised`)).toBeVisible();
  await expect(alice.getByText("1 file(s) attached.")).toBeVisible();
  const link = alice.getByTestId("ticket-attachments").getByRole("link", { name: "lane3.txt" });
  const download = await alice.request.get((await link.getAttribute("href"))!);
  expect(download.status()).toBe(200);
  expect(await download.text()).toContain("jam at lane 3");
  // A disguised file is refused, next to the field.
  await hydrated(alice);
  await alice.getByLabel("Attach files").setInputFiles({ name: "invoice.pdf", mimeType: "application/pdf", buffer: Buffer.from("not really a pdf") });
  await alice.getByRole("button", { name: "Upload" }).click();
  await expect(alice.locator("#ticket-file-error")).toHaveText("The file's content does not match its name's extension.");
  // In "My requests".
  await alice.goto("/support/requests?scope=mine");
  await expect(alice.getByTestId("requests").getByRole("row").filter({ hasText: reference })).toContainText(summary);

  // The agent finds it unassigned in the queue.
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, agentContext, "agent@openpsp.test");
  await agent.getByRole("link", { name: "Agent console" }).first().click();
  await hydrated(agent);
  await agent.getByLabel("Assignee").selectOption("unassigned");
  await agent.getByRole("button", { name: "Search" }).click();
  await expect(agent).toHaveURL(/assignee=unassigned/);
  const row = agent.getByTestId("requests").getByRole("row").filter({ hasText: reference });
  await expect(row).toContainText("Demo Retail");
  await expect(row.locator("[data-sla]")).toBeVisible();
  await row.getByRole("link", { name: reference }).click();
  await hydrated(agent);
  await expect(agent.getByTestId("sla-response")).toContainText("h");
  await agent.getByLabel("Assignee").selectOption({ label: "Agnes Agent" });
  await agent.getByRole("button", { name: "Assign" }).click();
  await expect(agent.locator("dl.facts dd").filter({ hasText: "Agnes Agent" })).toBeVisible();
  await agent.getByRole("button", { name: "Start work" }).click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("Work in progress");
  // An internal note, then a reply.
  await agent.getByLabel("Internal note: only agents see it").check();
  await agent.getByLabel("Add a comment").fill("Firmware 4.2 known issue, see KB draft");
  await agent.getByRole("button", { name: "Add note" }).click();
  await expect(agent.getByTestId("internal-note")).toBeVisible();
  await agent.getByLabel("Internal note: only agents see it").uncheck();
  await agent.getByLabel("Add a comment").fill("Please update the printer firmware; it fixes the jam.");
  await agent.getByRole("button", { name: "Comment", exact: true }).click();
  await expect(agent.getByTestId("ticket-activity")).toContainText("update the printer firmware");
  await agent.getByRole("button", { name: "Resolve" }).click();
  await expect(agent.getByTestId("ticket-status")).toHaveText("Resolved");

  // The reporter is mailed, never sees the note, and reopens.
  expect(await mailBody(aliceContext, "alice@demo-retail.test", "Status changed to resolved")).toContain(reference);
  await alice.goto(`/support/requests/${reference}`);
  await hydrated(alice);
  await expect(alice.getByTestId("ticket-status")).toHaveText("Resolved");
  await expect(alice.getByTestId("ticket-activity")).toContainText("update the printer firmware");
  await expect(alice.getByTestId("ticket-activity")).not.toContainText("Firmware 4.2");
  await alice.getByRole("button", { name: "Reopen" }).click();
  await expect(alice.getByTestId("ticket-status")).toHaveText("Work in progress");
  await Promise.all([aliceContext.close(), agentContext.close()]);
});

test("agents post an announcement, an article and a status incident that customers see", async ({ browser }) => {
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, agentContext, "agent@openpsp.test");
  await agent.goto("/support/agent/announcements");
  await hydrated(agent);
  const title = `Planned upgrade ${Date.now()}`;
  await agent.getByLabel("Title").fill(title);
  await agent.getByLabel("Description").fill("The back office is read-only on **Sunday 02:00–03:00 UTC**.");
  await agent.getByRole("button", { name: "Save" }).click();
  await expect(agent.getByTestId("agent-announcement").filter({ hasText: title })).toContainText("Shown on the home page");

  const slug = `quarterly-fees-${Date.now()}`;
  await agent.goto("/support/agent/articles");
  await agent.getByRole("link", { name: "New article" }).click();
  await hydrated(agent);
  await agent.getByRole("button", { name: "Save" }).click();
  await expect(agent.locator("#article-title ~ .field-error")).toHaveText("This field is required.");
  await agent.getByLabel("Title").fill("Quarterly fee statements");
  await agent.getByLabel("Address (lower-case letters, digits, hyphens)").fill(slug);
  await agent.getByLabel("Summary (one sentence)").fill("Where to find the quarterly fee statement.");
  await agent.getByLabel("Request type").selectOption({ label: "Report or export" });
  await agent.getByLabel("Article", { exact: true }).fill("The **quarterly** fee statement is mailed on the first working day.");
  await agent.getByRole("button", { name: "Save" }).click();
  await expect(agent).toHaveURL(new RegExp(`/support/articles/${slug}$`));
  await expect(agent.getByTestId("article-title")).toHaveText("Quarterly fee statements");
  await expect(agent.getByRole("link", { name: "Edit" })).toBeVisible();

  await agent.goto("/support/status");
  await hydrated(agent);
  const incident = `Card payments slow ${Date.now()}`;
  await agent.locator("#status-title").fill(incident);
  await agent.locator("#status-body").fill("We are looking into slower authorisations.");
  await agent.getByRole("button", { name: "Open an incident or schedule maintenance" }).click();
  await expect(agent.getByTestId("status-incident").filter({ hasText: incident })).toBeVisible();

  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, carolContext, "carol@other-corp.test");
  await expect(carol.getByTestId("announcement").filter({ hasText: title })).toContainText("read-only");
  await carol.goto("/support/articles?q=quarterly%20statement");
  await expect(carol.getByTestId("kb-results").getByRole("link").first()).toHaveText("Quarterly fee statements");
  await carol.goto("/support/status");
  await expect(carol.getByTestId("status-incident").filter({ hasText: incident })).toContainText("slower authorisations");
  // Customers have no console.
  await carol.goto("/support/agent");
  await expect(carol.getByRole("alert")).toContainText("does not allow");
  await Promise.all([agentContext.close(), carolContext.close()]);
});
