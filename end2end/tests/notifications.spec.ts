import { expect, test } from "@playwright/test";
import { randomUUID } from "node:crypto";
import { expectHome, hydrated, failOnConsoleErrors, loginWithPspid, mailBody } from "./helpers";
import { hostedCheckout } from "./direct";

failOnConsoleErrors(test);

test("a notification e-mail set on the payment settings gets a mail once a hosted checkout is paid", async ({ page, context }) => {
  const address = `ops-${randomUUID().slice(0, 8)}@shop.example`;
  await loginWithPspid(page, "demo");
  await expectHome(page);
  await page.goto("/configuration/payments");
  await hydrated(page);
  const field = page.getByLabel("Notification e-mails");
  await expect(page.getByText("a mail per successful payment and per refund")).toBeVisible();

  // A bad address is refused next to the field.
  await field.fill(`${address}, not an address`);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.locator(".field", { has: field }).locator(".field-error")).not.toBeEmpty();

  await field.fill(address);
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");

  const checkout = await hostedCheckout({ mode: "SALE" });
  const payer = await context.newPage();
  await payer.goto(checkout.url);
  await hydrated(payer);
  await payer.getByLabel("Card number").fill("5555 5555 5555 4444");
  await payer.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await payer.getByLabel("Security code (CVC)").fill("123");
  await payer.getByLabel("Card holder").fill("Ada Lovelace");
  await payer.getByRole("button", { name: /^Pay / }).click();
  await expect(payer.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  await payer.close();

  const body = await mailBody(context, address, "Successful payment");
  expect(body).toContain("Status: CAPTURED");
  expect(body).toContain("49.99");

  // Leave the demo as it was.
  await page.reload();
  await hydrated(page);
  await page.getByLabel("Notification e-mails").fill("");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("status")).toContainText("Saved");
});
