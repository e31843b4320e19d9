import { expect, test } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";

failOnConsoleErrors(test);

test("an admin stores a card as an alias, finds it by customer id and pays a telephone order with it", async ({ page }) => {
  const customer = `e2e-alias-${Date.now()}`;
  await loginAsUser(page, "admin");
  await expectHome(page);

  // Configuration → Aliases.
  await page.getByText("Configuration", { exact: true }).click();
  await page.getByRole("link", { name: "Aliases" }).click();
  await expect(page).toHaveURL(/\/configuration\/aliases$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Aliases" })).toBeVisible();

  // A new alias by card entry, checked as typed.
  await page.getByRole("button", { name: "New alias" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("Card number").fill("4111 1111 1111 1112");
  await dialog.getByLabel("Card number").blur();
  await expect(dialog.locator("#pay-number-error")).not.toBeEmpty();
  await dialog.getByLabel("Card number").fill("4111 1111 1111 1111");
  await expect(dialog.getByText("Visa")).toBeVisible();
  await expect(dialog.locator("#pay-number-error")).toBeEmpty();
  await dialog.getByLabel("Expiry date").fill("01/20");
  await dialog.getByLabel("Expiry date").blur();
  await expect(dialog.locator("#pay-expiry-error")).toHaveText("This card has expired.");
  await dialog.getByLabel("Expiry date").fill("12/30");
  await expect(dialog.locator("#pay-expiry-error")).toBeEmpty();
  await dialog.getByLabel("Card holder").fill("Ada Lovelace");
  await dialog.getByLabel("Merchant customer id").fill(customer);
  await dialog.getByRole("button", { name: "Store the card" }).click();
  await expect(dialog).toHaveCount(0);
  await expect(page.getByRole("status").filter({ hasText: "created for card 411111******1111" })).toBeVisible();
  // The number is nowhere on the page any more.
  await expect(page.locator("body")).not.toContainText("4111 1111 1111 1111");
  await expect(page.locator("body")).not.toContainText("4111111111111111");

  // Searched by customer id, in the URL.
  await page.getByRole("textbox", { name: "Merchant customer id" }).fill(customer);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`customer=${customer}`));
  await hydrated(page);
  const row = page.getByTestId("aliases").getByRole("row").filter({ hasText: customer });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("411111******1111");
  await expect(row).toContainText("Visa");
  await expect(row).toContainText("12/30");
  await expect(row).toContainText("Ada Lovelace");
  await expect(row).toContainText("never");
  const alias = (await row.locator("td").first().innerText()).trim();
  expect(alias).toMatch(/^[0-9a-f]{32}$/);

  // Operations → Virtual terminal (MOTO), paid with the alias: no card typed.
  await page.getByText("Operations", { exact: true }).click();
  await page.getByRole("link", { name: "Virtual terminal (MOTO)" }).click();
  await hydrated(page);
  await page.getByLabel("Description").fill("Phone order paid with an alias");
  await page.getByLabel("Amount").fill("24.90");
  await page.getByLabel("Pay with an alias").check();
  await expect(page.getByLabel("Card number")).toHaveCount(0);
  await page.getByLabel("Alias (token id)").fill(alias);
  await page.getByRole("button", { name: "Send for authorisation" }).click();
  const result = page.getByTestId("moto-result");
  await expect(result).toContainText("Approved: 24.90 EUR, authorisation code");
  await result.getByRole("link", { name: /Open payment/ }).click();
  await hydrated(page);
  await expect(page.getByRole("tabpanel")).toContainText("MOTO");
  await expect(page.locator("p .status")).toHaveText("Succeeded");
  await page.getByRole("tab", { name: "Customer information" }).click();
  await expect(page.getByRole("tabpanel")).toContainText("411111******1111");
  await expect(page.getByRole("tabpanel")).toContainText("Ada Lovelace");

  // The alias now shows when it last paid.
  await page.goto(`/configuration/aliases?customer=${customer}`);
  await hydrated(page);
  await expect(row).toHaveCount(1);
  await expect(row).not.toContainText("Never");
});
