import { test, expect } from "@playwright/test";
import { spawn, ChildProcess } from "node:child_process";
import { failOnConsoleErrors, hydrated, supportSignIn as signIn } from "./helpers";

failOnConsoleErrors(test);

// A terminal no merchant has bound: a new id per run, so it is always waiting.
const TERMINAL = `E2EWAIT${Date.now() % 100000}`;
let simulator: ChildProcess | undefined;
let simulatorLog = "";

test.beforeAll(async () => {
  const bin = process.env.OPENPSP_BIN ?? "../target/debug/openpsp";
  const gateway = process.env.E2E_TERMINALS ?? "127.0.0.1:9000";
  simulator = spawn(bin, ["terminal-sim", "--connect", gateway, "--terminal-id", TERMINAL, "--model", "Lane/3000"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  simulator.stdout?.on("data", (d) => (simulatorLog += d.toString()));
  simulator.stderr?.on("data", (d) => (simulatorLog += d.toString()));
  await expect.poll(() => simulatorLog, { timeout: 10_000 }).toContain("hello accepted");
});

test.afterAll(() => {
  simulator?.kill();
});

test("agents see the terminals waiting to be paired; customers do not", async ({ browser }) => {
  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, agentContext, "agent@openpsp.test");
  await agent.goto("/support/agent");
  await hydrated(agent);
  await agent.getByRole("link", { name: "Terminals waiting to be paired" }).click();
  await expect(agent).toHaveURL(/\/support\/agent\/terminals$/);
  await expect(agent.getByRole("heading", { level: 2, name: "Terminals waiting to be paired" })).toBeVisible();
  const row = agent.locator(`tr[data-terminal="${TERMINAL}"]`);
  await expect(row).toContainText("Lane/3000");
  await expect(row).toContainText("Connected");
  await expect(row).toContainText("127.0.0.1:");

  const carolContext = await browser.newContext();
  const carol = await carolContext.newPage();
  await signIn(carol, carolContext, "carol@other-corp.test");
  await carol.goto("/support/agent/terminals");
  await expect(carol.getByRole("alert")).toContainText("does not allow");
  await expect(carol.locator(`tr[data-terminal="${TERMINAL}"]`)).toHaveCount(0);
  await Promise.all([agentContext.close(), carolContext.close()]);
});
