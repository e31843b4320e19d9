import { expect, test } from "@playwright/test";
import { expectHome, failOnConsoleErrors, hydrated, loginAsUser } from "./helpers";

failOnConsoleErrors(test);

// Runs late on purpose (files run in name order): it deletes the demo's older payments.
test("an admin fills in the account, sets a 45-day retention, and the purge removes the older demo payments with its counts on the page", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await page.getByText("Configuration").click();
  await page.getByRole("link", { name: "Account", exact: true }).click();
  await expect(page).toHaveURL(/\/configuration\/account$/);
  await hydrated(page);
  await expect(page.getByLabel("Days to keep transaction data")).toHaveValue("540");

  // The VAT number is checked against the country as it is typed.
  await page.getByLabel("Country").selectOption("DE");
  await page.getByLabel("VAT number").fill("DE 1234");
  await expect(page.getByText("This is not a VAT number of the chosen country.")).toBeVisible();
  await page.getByLabel("VAT number").fill("DE 123 456 789");
  await expect(page.getByText("This is not a VAT number of the chosen country.")).toHaveCount(0);
  await page.getByLabel("Legal company name").fill("Demo Shop GmbH");
  await page.getByLabel("Telephone number").fill("+49 30 1234567");

  // Out of range first, then 45 days.
  await page.getByLabel("Days to keep transaction data").fill("44");
  await expect(page.locator("#account-retention_days-error")).not.toBeEmpty();
  await page.getByLabel("Days to keep transaction data").fill("45");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByText("Account details saved.")).toBeVisible();

  // Changing the retention queues a purge at once; the page shows what it deleted.
  await expect
    .poll(
      async () => {
        await page.reload();
        await hydrated(page);
        return (await page.getByTestId("retention-counts").innerText()).trim();
      },
      { timeout: 60_000, intervals: [1_000] },
    )
    .toMatch(/payments [1-9]\d*/);
  await expect(page.getByTestId("retention-last")).not.toHaveText("not run yet");
  await expect(page.getByTestId("retention-next")).not.toHaveText("—");
  await expect(page.getByLabel("VAT number")).toHaveValue("DE123456789");

  // No payment older than 45 days is listed any more.
  const since = new Date(Date.now() - 46 * 24 * 3600 * 1000).toISOString().slice(0, 10);
  await page.goto(`/operations/payments?to=${since}`);
  await hydrated(page);
  await expect(page.getByText("No payment matches.")).toBeVisible();
});
