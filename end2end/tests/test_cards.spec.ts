import { expect, test } from "@playwright/test";
import { hydrated } from "./helpers";

test("the public test-cards page lists HP-5 and checks numbers as they are typed", async ({ page }) => {
  await page.goto("/test-cards");
  await expect(page.getByRole("heading", { level: 1, name: "Test cards" })).toBeVisible();
  const challenge = page.getByRole("row", { name: /4000 0000 0000 1091/ });
  await expect(challenge).toContainText("3-D Secure challenge, then approved");
  await expect(challenge).toContainText("1234");
  await expect(page.getByRole("row", { name: /4000 0000 0000 9995/ })).toContainText(
    "Declined, refusal 51: insufficient funds",
  );
  await hydrated(page);
  const field = page.getByRole("textbox", { name: "Card number" });
  await field.pressSequentially("4111 1111 1111 1112");
  await expect(page.getByRole("status")).toHaveText("This number has a typing mistake.");
  await field.press("Backspace");
  await field.pressSequentially("1");
  await expect(page.getByRole("status")).toHaveText("Valid Visa number, shown as 411111******1111");
  await field.fill("");
  await field.pressSequentially("3782 822463 10005");
  await expect(page.getByRole("status")).toHaveText("Valid American Express number, shown as 378282*****0005");
});
