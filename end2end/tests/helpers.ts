import { expect, Page, BrowserContext } from "@playwright/test";

/** Password of every demo and test user; scripts/test.sh sets it. */
export const PASSWORD = process.env.DEMO_PASSWORD ?? "Sunny-Orbit-42!";

/** Waits until the WebAssembly has hydrated the page. */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated=true]");
}

/** Logs in with the default "PSPID + Password" form. The login page loads no script: its
 * forms are plain forms, usable as soon as they are shown. */
export async function loginWithPspid(page: Page, pspid: string, password = PASSWORD) {
  await page.goto("/login");
  await page.getByLabel("PSPID", { exact: true }).fill(pspid);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Logs in with the "Login as user" form. */
export async function loginAsUser(page: Page, userId: string, password = PASSWORD, pspid = "demo") {
  await page.goto("/login?mode=user");
  await page.getByLabel("UserID").fill(userId);
  await page.getByLabel("PSPID (optional)").fill(pspid);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Asserts the back-office Home page is shown. Home loads no script (its links, menus
 * and forms are plain ones): it is usable once shown, and never marked hydrated. */
export async function expectHome(page: Page, heading = "Home") {
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
}

/** Fails each test of the file whose page logs an error: a panic in the WebAssembly shows
 * as one. Refused server-function calls (a wrong password…) are expected and ignored. */
export function failOnConsoleErrors(t: typeof import("@playwright/test").test) {
  let errors: string[] = [];
  t.beforeEach(({ page }) => {
    errors = [];
    page.on("console", (m) => {
      if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text().split("\n")[0]);
    });
    page.on("pageerror", (e) => errors.push(e.message));
  });
  t.afterEach(() => {
    expect(errors).toEqual([]);
  });
}

/** Signs a demo person in to the portal: password, then the mailed code read in a
 * second tab of the development mailbox. */
export async function supportSignIn(page: Page, context: BrowserContext, email: string, landing: RegExp = /\/support$/) {
  if (!page.url().includes("/support/login")) await page.goto("/support/login");
  await hydrated(page);
  await page.getByLabel("Work e-mail address").fill(email);
  await page.getByRole("button", { name: "Continue" }).click();
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByLabel("Verification code").or(page.getByRole("heading", { level: 1 }).filter({ hasNotText: "Log in" }))).toBeVisible();
  if (await page.getByLabel("Verification code").isVisible()) {
    const mailbox = await context.newPage();
    await mailbox.goto("/dev/mailbox");
    const body = await mailbox.locator("li.mail", { hasText: email }).filter({ hasText: "login code" }).first().locator("pre.mail-body").innerText();
    await mailbox.close();
    await page.getByLabel("Verification code").fill(body.match(/\b(\d{8})\b/)![1]);
    await page.getByRole("button", { name: "Verify" }).click();
  }
  await expect(page).toHaveURL(landing);
  await hydrated(page);
}

/** The body of the newest mail to `email` whose text has `subject`, read in another tab
 * of the development mailbox. */
export async function mailBody(context: BrowserContext, email: string, subject: string): Promise<string> {
  const mailbox = await context.newPage();
  await mailbox.goto("/dev/mailbox");
  const mail = mailbox.locator("li.mail", { hasText: email }).filter({ hasText: subject }).first();
  await expect(mail).toBeVisible();
  const body = await mail.locator("pre.mail-body").innerText();
  await mailbox.close();
  return body;
}
