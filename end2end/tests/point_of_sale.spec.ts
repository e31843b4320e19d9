import { test, expect, Page } from "@playwright/test";
import { spawn, ChildProcess } from "node:child_process";
import { expectHome, failOnConsoleErrors, hydrated, loginWithPspid } from "./helpers";

failOnConsoleErrors(test);

// One id for the whole run: a worker restarted after a failure starts the same terminal.
const TERMINAL = "E2ESIM01";
let simulator: ChildProcess | undefined;
let simulatorLog = "";

// A simulated Lane/5000 connects to the gateway of the server under test.
test.beforeAll(async () => {
  const bin = process.env.OPENPSP_BIN ?? "../target/debug/openpsp";
  const gateway = process.env.E2E_TERMINALS ?? "127.0.0.1:9000";
  simulator = spawn(bin, ["terminal-sim", "--connect", gateway, "--terminal-id", TERMINAL, "--step-ms", "900"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  simulator.stdout?.on("data", (d) => (simulatorLog += d.toString()));
  simulator.stderr?.on("data", (d) => (simulatorLog += d.toString()));
  await expect.poll(() => simulatorLog, { timeout: 10_000 }).toContain("hello accepted");
});

test.afterAll(() => {
  simulator?.kill();
});

async function bindTerminal(page: Page) {
  await page.goto("/configuration/terminals");
  await hydrated(page);
  // The demo merchant's own terminal (the simulator's default id) is bound by seed-demo,
  // pinned to this machine.
  const demo = page.locator('tr[data-terminal="T1000001"]');
  await expect(demo).toContainText("Disconnected");
  await expect(demo).toContainText("127.0.0.1/32");
  const row = page.locator(`tr[data-terminal="${TERMINAL}"]`);
  // A terminal bound to nobody is listed to no merchant (a worker restarted after a
  // failure finds it bound already).
  if ((await row.count()) === 0) {
    // It is bound by its id and the address it shows; a wrong address is refused with
    // the same answer as an unknown id.
    await page.getByLabel("Terminal id").fill(TERMINAL);
    await page.locator("#bind-address").fill("192.0.2.1");
    await page.getByRole("button", { name: "Bind to my account", exact: true }).click();
    await expect(page.getByText("This terminal is not connected.").first()).toBeVisible();
    await expect(row).toHaveCount(0);
    await page.locator("#bind-address").fill("127.0.0.1");
    await page.getByRole("button", { name: "Bind to my account", exact: true }).click();
  }
  await expect(row).toContainText("Connected");
  await expect(row).toContainText("Lane/5000");
  await expect(row.getByTestId("paired-from")).toHaveText("127.0.0.1/32");
  await expect(row.getByRole("button", { name: `Unbind ${TERMINAL}` })).toBeVisible();
}

test("bind the simulator's terminal, take a payment at the point of sale and find it in the payments list", async ({ page }) => {
  await loginWithPspid(page, "demo");
  await expectHome(page);
  await bindTerminal(page);

  await page.locator("summary", { hasText: "Operations" }).click();
  await page.getByRole("link", { name: "Point of sale" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Point of sale" })).toBeVisible();
  await hydrated(page);
  await page.getByLabel("Terminal", { exact: true }).selectOption(TERMINAL);
  const reference = `POS-E2E-${Date.now()}`;
  await page.getByLabel("Amount").fill("12.34");
  await page.getByLabel("Reference").fill(reference);
  await page.getByRole("button", { name: "Send to the terminal" }).click();

  // The stages follow the terminal live.
  const current = page.getByTestId("pos-stages").locator('[aria-current="step"]');
  await expect(current).toHaveText("Waiting for the card");
  await expect(current).toHaveText("Waiting for the PIN");
  await expect(page.getByTestId("pos-result")).toContainText("Approved");
  await expect(page.getByTestId("pos-receipt")).toContainText("AMOUNT 12.34 EUR");
  await expect(page.getByTestId("pos-receipt")).toContainText("APPROVED");

  // It is a card-present payment of the ledger.
  await page.getByRole("link", { name: /Open payment/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await hydrated(page);
  await expect(page.getByText("POS", { exact: true })).toBeVisible();
  await expect(page.getByTestId("receipt")).toContainText("AUTH CODE");
  await page.goto(`/operations/payments?reference=${reference}`);
  await hydrated(page);
  const row = page.getByTestId("payments").getByRole("row").filter({ hasText: reference });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText("12.34");
});

test("a payment waiting for the card can be cancelled from the point of sale", async ({ page }) => {
  await loginWithPspid(page, "demo");
  await expectHome(page);
  await page.goto("/operations/pos");
  await hydrated(page);
  await page.getByLabel("Terminal", { exact: true }).selectOption(TERMINAL);
  await page.getByLabel("Amount").fill("abc");
  await page.getByLabel("Reference").click();
  await expect(page.getByText("Enter an amount like 12.34")).toBeVisible();
  await page.getByLabel("Amount").fill("1.77");
  await page.getByRole("button", { name: "Send to the terminal" }).click();
  await expect(page.getByTestId("pos-stages").locator('[aria-current="step"]')).toHaveText("Waiting for the card");
  await page.getByRole("button", { name: "Cancel the payment" }).click();
  await expect(page.getByTestId("pos-result")).toContainText("Cancelled");
  await page.getByRole("button", { name: "New payment" }).click();
  await expect(page.getByRole("button", { name: "Send to the terminal" })).toBeEnabled();
});
