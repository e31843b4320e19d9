import { expect, test } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, mailBody, failOnConsoleErrors } from "./helpers";

failOnConsoleErrors(test);

test("the demo Admin creates the production account demo-live, whose Admin sets a password from the mailed link and signs in to production", async ({ page, browser }) => {
  const password = "Quiet-River-2026!";

  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Configuration").click();
  await page.getByRole("link", { name: "Create production account" }).click();
  await expect(page).toHaveURL(/\/configuration\/production-account$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Create production account" })).toBeVisible();

  // The form starts from the TEST PSPID, the Admin's UserID and recovery address, and
  // recommends another PSPID; both lists say what is copied and what is not.
  const pspid = page.getByLabel("PSPID in production");
  await expect(pspid).toHaveValue("demo");
  await expect(page.getByText("We recommend a PSPID different from your test account's (demo)")).toBeVisible();
  await expect(page.getByLabel("UserID of the production Admin")).toHaveValue("admin");
  await expect(page.getByLabel("E-mail address of the production Admin")).toHaveValue("admin@demo.example");
  await expect(page.getByTestId("production-copied")).toContainText("Accepted currencies");
  await expect(page.getByTestId("production-configure-again")).toContainText("VAT number");

  // "demo" is taken in production (scripts/test.sh creates it); a bad PSPID is refused too.
  const submit = page.getByRole("button", { name: "Create the production account" });
  await submit.click();
  await expect(page.getByText("This PSPID already exists in production. Choose another one.")).toBeVisible();
  await pspid.fill("two words");
  await submit.click();
  await expect(page.getByText("Use 2 to 64 letters, digits and . _ - @ only.")).toBeVisible();
  await pspid.fill("demo-live");
  await page.getByLabel("E-mail address of the production Admin").fill("admin@demo.example");
  await submit.click();

  // The result: PSPID, UserID, where the link went, both lists and the production sign-in.
  const created = page.getByTestId("production-created");
  await expect(created.getByRole("heading", { name: "Production account demo-live created" })).toBeVisible();
  await expect(created.getByRole("status")).toHaveText("A link to choose a password was sent to admin@demo.example.");
  await expect(created.locator("dd.mono")).toHaveText(["demo-live", "admin"]);
  await expect(created.getByRole("link", { name: "Go to the production sign-in" })).toHaveAttribute("href", "/login?env=production");
  // The form, hidden once done, keeps its own lists: the shown ones are the result's.
  const again = page.getByTestId("production-configure-again").filter({ visible: true });
  for (const item of ["Subscription and options", "VAT number", "Invoicing method", "Payment methods", "3-D Secure information", "Users (only the new Admin is created)"]) {
    await expect(again).toContainText(item);
  }
  await expect(page.getByTestId("production-copied").filter({ visible: true })).toContainText("Payment-page languages");

  // The mail names the production PSPID and carries a link, never a password.
  const body = await mailBody(page.context(), "admin@demo.example", "PSPID demo-live (PRODUCTION)");
  const link = body.match(/\S*\/reset-password\?token=\S+/)?.[0];
  expect(link).toBeTruthy();

  // The production Admin, in a browser of their own, chooses a password and signs in to
  // production with the new PSPID.
  const liveContext = await browser.newContext();
  const live = await liveContext.newPage();
  await live.goto(link!);
  await live.getByLabel("New password", { exact: true }).fill(password);
  await live.getByLabel("Confirm the new password").fill(password);
  await live.getByRole("button", { name: "Set the new password" }).click();
  await expect(live.getByRole("status")).toHaveText("Your password has been changed. You can now log in.");
  await live.goto("/login?env=production");
  await expect(live.getByRole("heading", { name: "Identification (Production)" })).toBeVisible();
  await live.getByLabel("PSPID", { exact: true }).fill("demo-live");
  await live.getByLabel("Password", { exact: true }).fill(password);
  await live.getByRole("button", { name: "Log in" }).click();
  await expectHome(live);
  await expect(live.getByText("PRODUCTION", { exact: true })).toBeVisible();
  await live.getByLabel("User profile").click();
  await expect(live.locator(".profile-role")).toHaveText("Admin");
  // A production account is not copied again: the menu has no such entry.
  await live.getByText("Configuration").click();
  await expect(live.getByRole("link", { name: "Users", exact: true })).toBeVisible();
  await expect(live.getByRole("link", { name: "Create production account" })).toHaveCount(0);
  await liveContext.close();

  // The TEST account goes on in its own session.
  await page.goto("/");
  await expectHome(page);
  await expect(page.getByText("TEST", { exact: true })).toBeVisible();
});
