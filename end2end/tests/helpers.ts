import { expect, Page } from "@playwright/test";

/** Password of every demo and test user; scripts/test.sh sets it. */
export const PASSWORD = process.env.DEMO_PASSWORD ?? "Sunny-Orbit-42!";

/** Waits until the WebAssembly has hydrated the page. */
export async function hydrated(page: Page) {
  await page.waitForSelector("body[data-hydrated=true]");
}

/** Logs in with the default "PSPID + Password" form. */
export async function loginWithPspid(page: Page, pspid: string, password = PASSWORD) {
  await page.goto("/login");
  await hydrated(page);
  await page.getByLabel("PSPID", { exact: true }).fill(pspid);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Logs in with the "Login as user" form. */
export async function loginAsUser(page: Page, userId: string, password = PASSWORD, pspid = "demo") {
  await page.goto("/login?mode=user");
  await hydrated(page);
  await page.getByLabel("UserID").fill(userId);
  await page.getByLabel("PSPID (optional)").fill(pspid);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
}

/** Asserts the back-office Home page is shown. */
export async function expectHome(page: Page, heading = "Home") {
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await hydrated(page);
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
