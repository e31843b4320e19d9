import { expect, test } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";

failOnConsoleErrors(test);

test("an Admin creates an Operator who sets a password from the mailed link and signs in; deactivating ends that Operator's session", async ({ page, browser }) => {
  const login = `clerk-${Math.random().toString(36).slice(2, 8)}`;
  const email = `${login}@example.com`;
  const password = "Quiet-River-2026!";

  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Configuration").click();
  await page.getByRole("link", { name: "Users", exact: true }).click();
  await expect(page).toHaveURL(/\/configuration\/users$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  const users = page.getByTestId("users");
  await expect(users.getByRole("row").filter({ hasText: "(you)" })).toContainText("Admin");

  // The form checks the UserID next to the field, then creates the user.
  await page.getByRole("button", { name: "New user" }).click();
  const create = page.getByRole("dialog", { name: "Create a user" });
  await create.getByLabel("UserID").fill("two words");
  await create.getByLabel("Full name").fill("Casey Clerk");
  await create.getByLabel("E-mail address").fill(email);
  await create.getByLabel("Role").selectOption({ label: "Operator" });
  await create.getByRole("button", { name: "Create the user and e-mail the link" }).click();
  await expect(create.getByText("Use 2 to 64 letters, digits and . _ - @ only.")).toBeVisible();
  await create.getByLabel("UserID").fill(login);
  await create.getByRole("button", { name: "Create the user and e-mail the link" }).click();
  await expect(create).toHaveCount(0);
  await expect(page.getByRole("status")).toContainText(`User ${login} created. We e-mailed ${email} a link to choose a password`);
  const row = users.getByRole("row").filter({ hasText: login });
  await expect(row).toContainText("Casey Clerk");
  await expect(row).toContainText("Operator");
  await expect(row).toContainText("Active");
  await expect(row).toContainText("never");

  // The mail carries a link, never a password.
  const mailbox = await page.context().newPage();
  await mailbox.goto("/dev/mailbox");
  const mail = mailbox.locator("li.mail", { hasText: email }).filter({ hasText: "choose your password" }).first();
  await expect(mail).toBeVisible();
  await expect(mail.locator("pre.mail-body")).toContainText(`UserID ${login}, PSPID demo`);
  const link = await mail.locator("a.mail-link").first().getAttribute("href");
  expect(link).toContain("/reset-password?token=");
  await mailbox.close();

  // The Operator, in a browser of their own, sets a password and signs in as a user.
  const operatorContext = await browser.newContext();
  const operator = await operatorContext.newPage();
  await operator.goto(link!);
  await operator.getByLabel("New password", { exact: true }).fill(password);
  await operator.getByLabel("Confirm the new password").fill(password);
  await operator.getByRole("button", { name: "Set the new password" }).click();
  await expect(operator.getByRole("status")).toHaveText("Your password has been changed. You can now log in.");
  await loginAsUser(operator, login, password);
  await expectHome(operator);
  await operator.getByLabel("User profile").click();
  await expect(operator.locator(".profile-role")).toHaveText("Operator");
  // An Operator's Configuration menu holds the aliases only.
  await operator.getByText("Configuration", { exact: true }).click();
  await expect(operator.locator(".config-menu .menu-item")).toHaveText(["Aliases"]);

  // The Admin sees the sign-in, then deactivates the Operator after confirming.
  await page.reload();
  await hydrated(page);
  await expect(users.getByRole("row").filter({ hasText: login })).not.toContainText("never");
  await page.getByRole("button", { name: `Edit ${login}` }).click();
  const dialog = page.getByRole("dialog", { name: `User ${login}` });
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await expect(dialog).toContainText(`Deactivate ${login}? Their open sessions end at once and they can no longer sign in.`);
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status")).toHaveText(`${login} is deactivated; their sessions have ended.`);
  await expect(users.getByRole("row").filter({ hasText: login })).toContainText("Deactivated");

  // The Operator's open session is over: their next call is refused, their next page is
  // the sign-in, and signing in again is refused.
  const refused = await operatorContext.request.post("/api/me", { form: {}, headers: { accept: "application/json" } });
  expect(refused.ok()).toBe(false);
  expect(await refused.text()).toContain("Unauthenticated");
  await operator.goto("/operations/payments");
  await expect(operator).toHaveURL(/\/login$/);
  await loginAsUser(operator, login, password);
  await expect(operator.getByRole("alert")).toContainText("The identifier or the password is incorrect.");
  await operatorContext.close();
});

test("an Admin cannot deactivate themselves, and non-Admins never reach the Users page", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.goto("/configuration/users");
  await hydrated(page);
  await page.getByTestId("users").getByRole("row").filter({ hasText: "(you)" }).getByRole("button", { name: /^Edit / }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await dialog.getByRole("button", { name: "Deactivate" }).click();
  await expect(dialog.getByRole("alert")).toHaveText("You cannot remove your own Admin role or deactivate yourself.");
  await dialog.getByRole("button", { name: "Cancel" }).first().click();
  await expect(page.getByRole("dialog")).toHaveCount(0);

  await page.getByLabel("User profile").click();
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/login/);
  await loginAsUser(page, "operator");
  await expectHome(page);
  await page.goto("/configuration/users");
  await hydrated(page);
  await expect(page.getByRole("alert")).toContainText("Your role does not allow this action.");
});
