import { expect, test, Page } from "@playwright/test";
import { expectHome, hydrated, loginAsUser, failOnConsoleErrors } from "./helpers";
import { hostedCheckout } from "./direct";

failOnConsoleErrors(test);

async function setIdeal(page: Page, on: boolean) {
  await page.goto("/configuration/payment-methods");
  await hydrated(page);
  const row = page.getByTestId("payment-methods").getByRole("row").filter({ hasText: "iDEAL" });
  const active = (await row.textContent())?.includes("Inactive") === false;
  if (active !== on) {
    await page.getByRole("button", { name: `${on ? "Activate" : "Deactivate"} iDEAL` }).click();
    await expect(page.getByRole("status").filter({ hasText: "The payment method was saved." })).toBeVisible();
  }
  await expect(row).toContainText(on ? "Active" : "Inactive");
}

test("a payer on a phone picks iDEAL, approves on the bank page and lands on the paid page", async ({ page, browser }) => {
  await loginAsUser(page, "admin");
  await expectHome(page);
  await setIdeal(page, true);
  try {
    const checkout = await hostedCheckout({ amount: 4999, showResultPage: true });
    const phone = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const payer = await phone.newPage();
    await payer.goto(checkout.url);
    await hydrated(payer);
    await payer.getByRole("button", { name: "Pay with iDEAL" }).click();

    // The simulated bank: merchant, amount and method, two plain buttons.
    await expect(payer).toHaveURL(/\/pay\/bank\//);
    await expect(payer.getByRole("heading", { name: "Your bank (TEST)" })).toBeVisible();
    await expect(payer.getByTestId("bank-method")).toHaveText("iDEAL");
    await expect(payer.getByTestId("bank-amount")).toContainText("49.99");
    const approve = payer.getByRole("button", { name: "Approve" });
    await expect(approve).toBeVisible();
    const box = await approve.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(360);
    await approve.click();

    // Back on the hosted checkout's final page.
    await expect(payer).toHaveURL(new RegExp(`/${checkout.id}`));
    await hydrated(payer);
    await expect(payer.getByRole("heading", { name: "Payment successful" })).toBeVisible();
    await phone.close();
  } finally {
    await setIdeal(page, false);
  }
});
