import { expect, test } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, loginWithPspid, PASSWORD } from "./helpers";

test("PSPID + password logs in as the main user and logout ends the session", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
  await expect(page.getByRole("heading", { name: "Identification (TEST)" })).toBeVisible();
  await loginWithPspid(page, "demo");
  await expectHome(page);
  await expect(page.getByText("TEST", { exact: true })).toBeVisible();
  await page.getByLabel("User profile").click();
  await expect(page.locator(".profile-user")).toHaveText("admin");
  await expect(page.locator(".profile-role")).toHaveText("Admin");
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto("/");
  await expect(page).toHaveURL(/\/login$/);
});

test("Login as user takes a UserID and an optional PSPID", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Login as user" }).click();
  await expect(page.getByLabel("UserID")).toBeVisible();
  await loginAsUser(page, "operator");
  await expectHome(page);
  await page.getByLabel("User profile").click();
  await expect(page.locator(".profile-role")).toHaveText("Operator");
  await expect(page.locator(".profile-last-login")).toHaveText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
});

test("the environment links switch the heading between TEST and production", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Access to production" }).click();
  await expect(page.getByRole("heading", { name: "Identification (Production)" })).toBeVisible();
  await page.getByRole("link", { name: "Access to test" }).click();
  await expect(page.getByRole("heading", { name: "Identification (TEST)" })).toBeVisible();
});

test("a wrong password shows one generic message", async ({ page }) => {
  await loginWithPspid(page, "demo", "Wrong-Password-1!");
  await expect(page.getByRole("alert")).toHaveText("The identifier or the password is incorrect.");
  await loginWithPspid(page, "no-such-merchant", "Wrong-Password-1!");
  await expect(page.getByRole("alert")).toHaveText("The identifier or the password is incorrect.");
  await expect(page).toHaveURL(/\/login/);
});

test("an empty field is reported next to it", async ({ page }) => {
  await page.goto("/login");
  await page.getByLabel("PSPID", { exact: true }).fill("demo");
  await page.getByLabel("Password", { exact: true }).evaluate((el) => el.removeAttribute("required"));
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.locator("#pspid-password-error")).toHaveText("This field is required.");
});

test("ten failures lock the user, and the right password is then refused too", async ({ page }) => {
  for (let i = 0; i < 9; i++) {
    await loginAsUser(page, "lockme", `Wrong-Password-${i}!`);
    await expect(page.getByRole("alert")).toHaveText("The identifier or the password is incorrect.");
  }
  await loginAsUser(page, "lockme", "Wrong-Password-9!");
  await expect(page.getByRole("alert")).toContainText("This account is locked");
  await loginAsUser(page, "lockme", PASSWORD);
  await expect(page.getByRole("alert")).toContainText("This account is locked");
  await expect(page).toHaveURL(/\/login/);
});

test("production has its own accounts, marked PRODUCTION once logged in", async ({ page }) => {
  await page.goto("/login");
  await page.getByRole("link", { name: "Access to production" }).click();
  await expect(page.getByRole("heading", { name: "Identification (Production)" })).toBeVisible();
  await page.getByLabel("PSPID", { exact: true }).fill("demo");
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expectHome(page);
  await expect(page.getByText("PRODUCTION", { exact: true })).toBeVisible();
  await page.getByLabel("User profile").click();
  await expect(page.locator(".profile-user")).toHaveText("owner");
});

test("the login page loads no script: a refused post comes back with its message and the identifier typed, never the password", async ({ page }) => {
  const code: string[] = [];
  page.on("request", (r) => {
    if (/\.(js|wasm)$/.test(new URL(r.url()).pathname)) code.push(r.url());
  });
  await loginAsUser(page, "operator", "Wrong-Password-1!");
  await expect(page.getByRole("alert")).toHaveText("The identifier or the password is incorrect.");
  await expect(page.getByLabel("UserID")).toHaveValue("operator");
  await expect(page.getByLabel("PSPID (optional)")).toHaveValue("demo");
  await expect(page.getByLabel("Password", { exact: true })).toHaveValue("");
  // What was typed came back in a cookie, not in the address.
  expect(page.url()).not.toContain("Wrong-Password");
  expect(page.url()).not.toContain("operator");
  expect(code).toEqual([]);
  // Right this time: on to Home, which loads no code either; the first other page opened
  // loads the back office's code.
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expectHome(page);
  expect(code).toEqual([]);
  await page.goto("/profile");
  await hydrated(page);
  expect(code.some((url) => url.endsWith(".wasm"))).toBe(true);
});

test("an error written into the login page's address shows no text of its own", async ({ page }) => {
  // What a refused post carries back (`__err`), forged: a lock whose end is a sentence.
  // (Its base64 needs no padding: it is decoded, and only the page's guard hides it.)
  const forged = Buffer.from(JSON.stringify({ Locked: { until: "never. Call +00 000 00" } })).toString("base64url");
  await page.goto(`/login?__path=${encodeURIComponent("/api/login")}&__err=${forged}`);
  await expect(page.getByRole("alert")).toHaveText("Something went wrong. Please try again.");
  await expect(page.getByText("Call +00")).toHaveCount(0);
});
