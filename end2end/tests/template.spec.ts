import { expect, test, Page } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { hostedCheckout } from "./direct";

failOnConsoleErrors(test);

// A 1 × 1 PNG, written to a file input from memory.
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAUAAen63NgAAAAASUVORK5CYII=",
  "base64",
);

async function openTemplate(page: Page) {
  await page.getByText("Configuration", { exact: true }).click();
  await page.getByRole("link", { name: "Payment page template" }).click();
  await expect(page).toHaveURL(/\/configuration\/template$/);
  await hydrated(page);
  await expect(page.getByRole("heading", { level: 1, name: "Payment page template" })).toBeVisible();
}

async function resetTemplate(page: Page) {
  await page.goto("/configuration/template");
  await hydrated(page);
  await page.getByRole("button", { name: "Reset to default" }).click();
  await expect(page.getByLabel("Button colour (#rrggbb)")).toHaveValue("#1f4fd1");
}

test("a button colour and a logo set on the template show on a hosted checkout", async ({ page }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await openTemplate(page);

  // An unreadable pair is refused next to its field.
  await page.getByLabel("Button colour (#rrggbb)").fill("#ffff00");
  await page.getByLabel("Button text colour (#rrggbb)").fill("#ffffff");
  await page.locator("#template-form").getByRole("button", { name: "Save" }).click();
  await expect(page.locator("#template-primary_colour-error")).toContainText("Too little contrast");

  // A readable one is kept, and the preview follows as it is typed.
  await page.getByLabel("Button colour (#rrggbb)").fill("#0a5c36");
  await expect(page.getByTestId("template-preview").getByRole("button")).toHaveCSS(
    "background-color",
    "rgb(10, 92, 54)",
  );
  await page.locator("#template-form").getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
  await expect(page.locator("#template-primary_colour-error")).toHaveText("");

  // The logo: a small PNG through the plain upload form.
  await page.getByLabel("Logo", { exact: true }).setInputFiles({ name: "logo.png", mimeType: "image/png", buffer: PNG });
  await page.getByRole("button", { name: "Upload the logo" }).click();
  await expect(page).toHaveURL(/logo=saved/);

  // A payer's hosted page: the pay button has the colour, the logo shows.
  const checkout = await hostedCheckout({ amount: 2500 });
  const payer = await page.context().newPage();
  await payer.goto(checkout.url);
  await hydrated(payer);
  await expect(payer.getByRole("button", { name: /^Pay / })).toHaveCSS("background-color", "rgb(10, 92, 54)");
  const logo = payer.getByTestId("merchant-logo");
  await expect(logo).toBeVisible();
  expect(await logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1);
  await payer.close();

  // Back to the default for the other tests.
  await resetTemplate(page);
});
