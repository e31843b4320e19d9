import { expect, test } from "@playwright/test";
import { hydrated, failOnConsoleErrors } from "./helpers";
import { direct } from "./direct";

failOnConsoleErrors(test);

// A payer whose browser prefers German.
test.use({ locale: "de-DE" });

test("a checkout without a locale opens in the browser's language, and the payer switches language", async ({ page }) => {
  const res = await direct("POST", "/hostedcheckouts", {
    order: { amountOfMoney: { amount: 1250, currencyCode: "EUR" } },
    hostedCheckoutSpecificInput: { returnUrl: `${process.env.BASE_URL ?? "http://127.0.0.1:3000"}/test-cards` },
  });
  expect(res.status).toBe(201);
  expect(res.json.redirectUrl).not.toContain("lang=");
  await page.goto(res.json.redirectUrl);
  await expect(page).toHaveURL(/\?lang=de$/);
  await hydrated(page);
  await expect(page.getByRole("button", { name: "12.50 EUR zahlen" })).toBeVisible();
  await expect(page.locator("html")).toHaveAttribute("lang", "de");

  const languages = page.getByRole("navigation", { name: "Sprache" });
  await expect(languages.getByRole("link", { name: "Deutsch" })).toHaveAttribute("aria-current", "true");
  await languages.getByRole("link", { name: "Français" }).click();
  await expect(page).toHaveURL(/\?lang=fr$/);
  await hydrated(page);
  await expect(page.getByRole("button", { name: "Payer 12.50 EUR" })).toBeVisible();
});
