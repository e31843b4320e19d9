import { expect, test } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, PASSWORD } from "./helpers";

const HOME_IN = {
  fr: "Accueil",
  nl: "Home",
  de: "Startseite",
  es: "Inicio",
  it: "Home",
  en: "Home",
};
const NAME = { fr: "Français", nl: "Nederlands", de: "Deutsch", es: "Español", it: "Italiano", en: "English" };
const PROFILE_LABEL = {
  fr: "Profil utilisateur",
  nl: "Gebruikersprofiel",
  de: "Benutzerprofil",
  es: "Perfil de usuario",
  it: "Profilo utente",
  en: "User profile",
};

test("the language menu switches the whole back office and <html lang>", async ({ page }) => {
  await loginAsUser(page, "viewer");
  await expectHome(page);
  for (const code of ["fr", "nl", "de", "es", "it", "en"] as const) {
    await page.locator(".language-menu summary").click();
    await page.getByRole("button", { name: new RegExp(`^${NAME[code]}`) }).click();
    // Home loads no script: the menu's forms are plain forms, answered by the page they
    // came from, Home.
    await expect(page.locator("html")).toHaveAttribute("lang", code);
    await expect(page).toHaveURL(/\/\??$/);
    const menu = page.getByRole("navigation");
    await expect(menu.getByRole("link", { name: HOME_IN[code], exact: true })).toBeVisible();
    await expect(page.getByLabel(PROFILE_LABEL[code])).toBeVisible();
  }
});

test("the language chosen before login is kept on the login page", async ({ page }) => {
  await page.goto("/login");
  await page.locator(".language-menu summary").click();
  await page.getByRole("button", { name: /^Deutsch/ }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
  await expect(page.getByRole("heading", { name: "Identifikation (TEST)" })).toBeVisible();
  await expect(page.getByLabel("Passwort", { exact: true })).toBeVisible();
  await page.getByRole("link", { name: "Als Benutzer anmelden" }).click();
  await page.getByLabel("UserID").fill("operator");
  await page.getByLabel("PSPID (optional)").fill("demo");
  await page.getByLabel("Passwort", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Anmelden" }).click();
  await expectHome(page, "Startseite");
  await expect(page.locator("html")).toHaveAttribute("lang", "de");
});

test("the password checklist reacts as the user types (domain rules in WebAssembly)", async ({ page }) => {
  await loginAsUser(page, "changer");
  await expectHome(page);
  await page.goto("/profile/password");
  await hydrated(page);
  const upper = page.locator("li.rule", { hasText: "an upper-case letter" });
  const length = page.locator("li.rule", { hasText: "at least 12 characters" });
  const login = page.locator("li.rule", { hasText: "no user's login" });
  const field = page.getByLabel("New password", { exact: true });
  await field.pressSequentially("abc");
  await expect(upper).toHaveAttribute("data-passed", "false");
  await expect(length).toHaveAttribute("data-passed", "false");
  await field.pressSequentially("D");
  await expect(upper).toHaveAttribute("data-passed", "true");
  await field.pressSequentially("efgh1234!");
  await expect(length).toHaveAttribute("data-passed", "true");
  await expect(login).toHaveAttribute("data-passed", "true");
  await field.pressSequentially("ADMIN");
  await expect(login).toHaveAttribute("data-passed", "false");
});

test("change password, then log in with the new one", async ({ page }) => {
  const newPassword = "Brand-New-Pass-77!";
  await loginAsUser(page, "changer");
  await expectHome(page);
  await page.goto("/profile/password");
  await hydrated(page);
  await page.getByLabel("Current password").fill("Not-The-Current-1!");
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Confirm the new password").fill(newPassword);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#f-current-error")).toHaveText("The current password is incorrect.");
  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password has been changed.");
  await page.getByLabel("User profile").click();
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await loginAsUser(page, "changer", PASSWORD);
  await expect(page.getByRole("alert")).toHaveText("The identifier or the password is incorrect.");
  await loginAsUser(page, "changer", newPassword);
  await expectHome(page);
});

test("forgot password sends a one-time link through the mailbox; its pages load no script", async ({ page }) => {
  const newPassword = "Fresh-Start-2026!";
  // Scripts asked for by the pages before a sign-in (the mailbox is not one of them).
  const code: string[] = [];
  page.on("request", (r) => {
    const on = new URL(r.frame().url()).pathname;
    if (on !== "/dev/mailbox" && /\.(js|wasm)$/.test(new URL(r.url()).pathname)) code.push(r.url());
  });
  await page.goto("/login");
  await page.getByRole("link", { name: "Forgot your password?" }).click();
  // A blank PSPID is refused next to its field by the server.
  await page.getByLabel("PSPID").fill(" ");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.locator("#f-pspid-error")).toHaveText("This field is required.");
  await page.getByLabel("PSPID").fill("demo");
  await page.getByLabel("UserID").fill("forgetful");
  await page.getByRole("button", { name: "Send the link" }).click();
  await expect(page.getByRole("status")).toContainText("a link is on its way");

  await page.goto("/dev/mailbox");
  const mail = page.locator("li.mail", { hasText: "forgetful@demo.example" }).first();
  await expect(mail).toBeVisible();
  const link = await mail.locator("a.mail-link").first().getAttribute("href");
  expect(link).toContain("/reset-password?token=");

  await page.goto(link!);
  // The rules are listed by the server.
  await expect(page.locator("li.rule", { hasText: "at least 12 characters" })).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Confirm the new password").fill("Fresh-Start-2027!");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.locator(".field-error").filter({ hasText: "The two passwords are not the same." })).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill(newPassword);
  await page.getByLabel("Confirm the new password").fill(newPassword);
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByRole("status")).toHaveText("Your password has been changed. You can now log in.");
  expect(page.url()).not.toContain("token=");

  await page.goto(link!);
  await page.getByLabel("New password", { exact: true }).fill("Another-Try-2026!");
  await page.getByLabel("Confirm the new password").fill("Another-Try-2026!");
  await page.getByRole("button", { name: "Set the new password" }).click();
  await expect(page.getByRole("alert").first()).toContainText("This link is invalid, already used or expired.");
  expect(code).toEqual([]);

  await loginAsUser(page, "forgetful", newPassword);
  await expectHome(page);
});

test("the time zone dialog changes the zone shown in the profile, on Home without script and on a hydrated page", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  // Home loads no script: the zone is a link to Home with the dialog open, whose form
  // is a plain form answered by Home again.
  await page.getByLabel("User profile").click();
  await expect(page.locator(".profile-time-zone")).toContainText("Europe/Paris");
  await page.locator(".profile-time-zone").click();
  await expect(page).toHaveURL(/\/\?time-zone$/);
  const dialog = page.getByRole("dialog", { name: "Time zone" });
  await expect(dialog).toBeVisible();
  // Cancel: Home again, the dialog closed, nothing changed.
  await dialog.getByRole("link", { name: "Cancel" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.getByLabel("User profile").click();
  await page.locator(".profile-time-zone").click();
  await dialog.getByLabel("Time zone").selectOption("America/New_York");
  await dialog.getByLabel("Automatically adjust to daylight saving changes").uncheck();
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.getByLabel("User profile").click();
  await expect(page.locator(".profile-time-zone")).toHaveText("America/New_York (UTC-05:00)");

  // A page drawn in the browser opens the same dialog without leaving the page (a mark
  // left on the window stays), and closes it again.
  await page.goto("/profile");
  await hydrated(page);
  await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
  await page.getByLabel("User profile").click();
  await page.getByRole("button", { name: "America/New_York (UTC-05:00)" }).click();
  await expect(dialog).toBeVisible();
  expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
  await expect(page).toHaveURL(/\/profile$/);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByRole("dialog")).toHaveCount(0);
  await page.getByLabel("User profile").click();
  await page.locator(".profile-time-zone").click();
  await page.getByRole("dialog").getByRole("button", { name: "Back to default" }).click();
  await hydrated(page);
  await page.getByLabel("User profile").click();
  await expect(page.locator(".profile-time-zone")).toContainText("Europe/Paris");
});

test("the profile keeps a recovery e-mail and Home stops asking for it", async ({ page }) => {
  await loginAsUser(page, "viewer");
  await expectHome(page);
  const step = page.getByText("Add a recovery e-mail address to your user.");
  await expect(step).toBeVisible();
  await step.getByRole("link", { name: "Do it now" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My profile" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Full name").fill("Vera Viewer");
  await page.getByLabel("Recovery e-mail address").fill("vera@nowhere");
  await page.getByRole("button", { name: "Save the profile" }).click();
  await expect(page.locator("#f-email-error")).toHaveText("Enter an e-mail address such as name@example.com.");
  await page.getByLabel("Recovery e-mail address").fill("vera@demo.example");
  await page.getByRole("button", { name: "Save the profile" }).click();
  await expect(page.getByRole("status")).toHaveText("Your profile has been saved.");
  await page.getByRole("navigation").getByRole("link", { name: "Home" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  await expect(page.getByText("Replace the initial password with one of your own.")).toBeVisible();
  await expect(page.getByText("Add a recovery e-mail address to your user.")).toHaveCount(0);
});
