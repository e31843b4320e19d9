import { test, expect, Page, BrowserContext } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { failOnConsoleErrors, hydrated, mailBody, PASSWORD } from "./helpers";

failOnConsoleErrors(test);

const BIN = process.env.OPENPSP_BIN ?? "../target/debug/openpsp";

/** The 8-digit code of the newest mail to `email` whose subject has `subject`, read in
 * another tab of the development mailbox. */
async function codeFor(context: BrowserContext, email: string, subject: string): Promise<string> {
  const body = await mailBody(context, email, subject);
  const code = body.match(/\b(\d{8})\b/);
  expect(code).not.toBeNull();
  return code![1];
}

async function enterCode(page: Page, code: string) {
  await page.getByLabel("Verification code").fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
}

test("an invited customer verifies the mailed code, sets a password, passes the second factor and reaches the portal", async ({ page, context }) => {
  const email = `new${Date.now()}@demo-retail.test`;
  execFileSync(BIN, ["support-invite", "--email", email, "--organization", "Demo Retail"]);

  // The invitation's "Login to your account" link.
  await page.goto("/dev/mailbox");
  const invitation = page.locator("li.mail", { hasText: email }).filter({ hasText: "invited" }).first();
  await expect(invitation).toContainText("Login to your account");
  const link = await invitation.locator("a.mail-link", { hasText: "/support/login" }).first().getAttribute("href");
  await page.goto(link!);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Log in to OpenPSP Support" })).toBeVisible();
  await expect(page.getByLabel("Work e-mail address")).toHaveValue(email);
  await page.getByRole("button", { name: "Continue" }).click();

  await expect(page.getByText("We e-mailed an 8-digit verification code")).toBeVisible();
  await enterCode(page, "00000000");
  await expect(page.getByText("This code is wrong or has expired")).toBeVisible();
  await enterCode(page, await codeFor(context, email, "verification code"));

  await expect(page.getByRole("heading", { name: "Choose your name and password" })).toBeVisible();
  await page.getByLabel("Full name").fill("Nina New");
  await page.getByLabel("Password", { exact: true }).fill("weak");
  await expect(page.locator("meter")).toHaveAttribute("value", /^[0-9]+$/);
  const weak = Number(await page.locator("meter").getAttribute("value"));
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await expect.poll(async () => Number(await page.locator("meter").getAttribute("value"))).toBeGreaterThan(weak);
  await page.getByRole("button", { name: "Activate my account" }).click();

  await expect(page.getByText("For your security we e-mailed a one-time code")).toBeVisible();
  await enterCode(page, await codeFor(context, email, "login code"));
  await expect(page).toHaveURL(/\/support$/);
  await hydrated(page);
  await expect(page.getByTestId("support-signed-in")).toContainText(`Nina New (${email})`);
  await expect(page.getByText("Demo Retail")).toBeVisible();

  // This browser is trusted now: the next sign-in needs the password only.
  await page.locator("summary", { hasText: "Nina New" }).click();
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/support\/login$/);
  await hydrated(page);
  await page.getByLabel("Work e-mail address").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/support$/);
});

test("a demo customer signs in with password and mailed code, then edits the profile", async ({ page, context }) => {
  const email = "alice@demo-retail.test";
  await page.goto("/support");
  await expect(page).toHaveURL(/\/support\/login$/);
  await hydrated(page);
  await page.getByLabel("Work e-mail address").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("alert")).toContainText("incorrect");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("For your security we e-mailed a one-time code")).toBeVisible();
  await enterCode(page, await codeFor(context, email, "login code"));
  await expect(page).toHaveURL(/\/support$/);
  await hydrated(page);

  await page.goto("/support/profile");
  await hydrated(page);
  await expect(page.getByText(email)).toBeVisible();
  await page.getByLabel("Full name").fill("Alice Martin-Durand");
  await page.getByLabel("E-mail me when my requests change").uncheck();
  await page.getByRole("button", { name: "Save the profile" }).click();
  await expect(page.getByRole("status")).toHaveText("Your profile has been saved.");
  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Full name")).toHaveValue("Alice Martin-Durand");
  await expect(page.getByLabel("E-mail me when my requests change")).not.toBeChecked();
});

test("the service status page is public, and an agent changes a component's status", async ({ page, context }) => {
  await page.goto("/support/status");
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Service status" })).toBeVisible();
  await expect(page.locator('[data-component="Webhooks"]')).toContainText("Degraded performance");
  await expect(page.getByTestId("status-overall")).toContainText("Some services are affected");
  await expect(page.getByTestId("status-incident").filter({ hasText: "Delayed webhook deliveries" })).toContainText("Identified");
  await expect(page.getByTestId("status-incident").filter({ hasText: "Database upgrade" })).toContainText("Planned maintenance");
  await expect(page.getByRole("button", { name: "Update" })).toHaveCount(0);

  // The agent signs in and edits the page in place.
  const email = "agent@openpsp.test";
  await page.goto("/support/login");
  await hydrated(page);
  await page.getByLabel("Work e-mail address").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByText("For your security we e-mailed a one-time code")).toBeVisible();
  await enterCode(page, await codeFor(context, email, "login code"));
  await expect(page).toHaveURL(/\/support$/);
  await page.getByRole("link", { name: "Service status" }).click();
  await hydrated(page);
  const row = page.locator('[data-component="Terminal gateway"]');
  await row.getByLabel("Status Terminal gateway").selectOption("partial_outage");
  await row.getByRole("button", { name: "Update" }).click();
  await expect(row.locator(".status")).toHaveText("Partial outage");
  const json = await (await page.request.get("/support/status.json")).json();
  expect(json.components.find((c: { name: string }) => c.name === "Terminal gateway").status).toBe("partial_outage");
  expect(json.overall).toBe("partial_outage");
});
