import { expect, Page, test } from "@playwright/test";
import { createHmac } from "node:crypto";
import { expectHome, failOnConsoleErrors, hydrated, loginAsUser, PASSWORD } from "./helpers";

failOnConsoleErrors(test);

/** RFC 4648 base32 (the secret as the page shows it, in groups of four). */
function base32(text: string): Buffer {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/[\s=]/g, "").toUpperCase()) {
    bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  }
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

/** The 6-digit code an authenticator app shows for `secret` at now + `offset` seconds
 * (RFC 6238: HMAC-SHA-1, 30-second steps, dynamic truncation). */
function totp(secret: string, offset = 0): string {
  const step = Math.floor((Date.now() / 1000 + offset) / 30);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0x0f;
  const value = (mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000;
  return value.toString().padStart(6, "0");
}

async function logOut(page: Page) {
  await page.locator("details.profile-menu > summary").click();
  await page.getByRole("button", { name: "Logout" }).click();
  await expect(page).toHaveURL(/\/login/);
}

test("a user turns on an authenticator app, signs in with a code and with a recovery code, and a reused code is refused", async ({ page }) => {
  await loginAsUser(page, "viewer");
  await expectHome(page);
  await page.locator("details.profile-menu > summary").click();
  await page.getByRole("link", { name: "Security" }).click();
  await expect(page).toHaveURL(/\/profile\/security$/);
  await hydrated(page);
  await expect(page.getByTestId("two-factor-state")).toContainText("Off");

  // The password is asked again before the secret is shown.
  const setup = page.getByRole("form", { name: "Enable the authenticator app" });
  await setup.getByLabel("Your password").fill("not-my-password");
  await setup.getByRole("button", { name: "Enable the authenticator app" }).click();
  await expect(page.getByText("The current password is incorrect.").first()).toBeVisible();
  await setup.getByLabel("Your password").fill(PASSWORD);
  await setup.getByRole("button", { name: "Enable the authenticator app" }).click();
  await expect(page.getByTestId("totp-qr").locator("svg")).toBeVisible();
  const secret = (await page.getByTestId("totp-secret").innerText()).trim();
  expect(secret.replace(/\s/g, "")).toMatch(/^[A-Z2-7]{32}$/);

  await page.getByLabel("6-digit code").fill(totp(secret));
  await page.getByRole("button", { name: "Confirm and enable" }).click();
  const list = page.getByTestId("recovery-codes");
  await expect(list).toBeVisible();
  const codes = (await list.locator("li code").allInnerTexts()).map((c) => c.trim());
  expect(codes).toHaveLength(10);
  await expect(list.getByRole("link", { name: "Download the codes" })).toHaveAttribute("download", "openpsp-recovery-codes.txt");
  await list.getByRole("button", { name: "Done" }).click();
  await hydrated(page);
  await expect(page.getByTestId("two-factor-state")).toContainText("Authenticator app");
  await expect(page.getByTestId("recovery-left")).toHaveText("10");

  // Signing in now asks for the app's code after the password.
  await logOut(page);
  await loginAsUser(page, "viewer");
  await expect(page).toHaveURL(/\/login\/verify$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
  const code = totp(secret, 30);
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectHome(page);

  // The same code again is refused: a code is accepted once.
  await logOut(page);
  await loginAsUser(page, "viewer");
  await expect(page).toHaveURL(/\/login\/verify$/);
  await hydrated(page);
  await page.getByLabel("Code", { exact: true }).fill(code);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText("This code is not right. Type the code your app shows now.").first()).toBeVisible();

  // A recovery code signs in instead, once.
  await page.getByRole("button", { name: "Lost your phone? Use a recovery code" }).click();
  await page.getByRole("textbox", { name: "Recovery code" }).fill(codes[0].toUpperCase());
  await page.getByRole("button", { name: "Verify" }).click();
  await expectHome(page);
  await logOut(page);
  await loginAsUser(page, "viewer");
  // The sign-in page was hydrated too: wait for the verify page before its mark.
  await expect(page).toHaveURL(/\/login\/verify$/);
  await hydrated(page);
  await page.getByRole("button", { name: "Lost your phone? Use a recovery code" }).click();
  await page.getByRole("textbox", { name: "Recovery code" }).fill(codes[0]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expect(page.getByText(/This code is wrong or has expired/).first()).toBeVisible();
  await page.getByRole("textbox", { name: "Recovery code" }).fill(codes[1]);
  await page.getByRole("button", { name: "Verify" }).click();
  await expectHome(page);

  // Turned off again with the password: the next sign-in asks only the password.
  await page.goto("/profile/security");
  await hydrated(page);
  await expect(page.getByTestId("recovery-left")).toHaveText("8");
  const off = page.getByRole("form", { name: "Turn off two-factor authentication" });
  await off.getByLabel("Your password").fill(PASSWORD);
  await off.getByRole("button", { name: "Turn off two-factor authentication" }).click();
  await expect(page.getByTestId("two-factor-state")).toContainText("Off");
  await logOut(page);
  await loginAsUser(page, "viewer");
  await expectHome(page);
});
