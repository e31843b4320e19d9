import { expect, test, Browser, Page } from "@playwright/test";
import { expectHome, hydrated, loginWithPspid } from "./helpers";
import { direct, hostedCheckout } from "./direct";

/** The most JavaScript + WebAssembly a payer's page may put on the wire (as sent, i.e.
 * compressed), in bytes: the product's target, 100 KiB. The payer's pages are rendered on
 * the server and enhanced by the payer's script (crate `payer`, scripts/build-payer.sh),
 * which measured 62,235 bytes gzipped (JS + WASM) when this budget was set. */
const PAYER_BUDGET = 100 * 1024;

type Code = { url: string; bytes: number; encoding: string };

/** A phone-sized page in a fresh browser context (cold cache) that records every
 * JavaScript and WebAssembly file it loads, with its size on the wire, and fails on a
 * console error (a panic in the WebAssembly shows as one). */
async function phone(browser: Browser): Promise<{ page: Page; code: () => Promise<Code[]>; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  const pending: Promise<Code | null>[] = [];
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(m.text().split("\n")[0]);
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("requestfinished", (request) => {
    const url = new URL(request.url());
    if (!/\.(js|wasm)$/.test(url.pathname)) return;
    pending.push(
      (async () => {
        const [sizes, response] = await Promise.all([request.sizes(), request.response()]);
        const encoding = (await response?.allHeaders())?.["content-encoding"] ?? "";
        return { url: url.pathname, bytes: sizes.responseBodySize, encoding };
      })(),
    );
  });
  return { page, code: async () => (await Promise.all(pending)).filter((c): c is Code => c !== null), errors };
}

function expectPayerBundle(code: Code[]) {
  const paths = code.map((c) => c.url);
  expect(paths.some((p) => p.endsWith("/pkg/payer.wasm")), paths.join(", ")).toBe(true);
  // Never the back office's or the support portal's code.
  expect(paths.filter((p) => /\/pkg\/openpsp[._]/.test(p))).toEqual([]);
  const wasm = code.find((c) => c.url.endsWith("/pkg/payer.wasm"))!;
  expect(["gzip", "br"]).toContain(wasm.encoding);
  const total = code.reduce((sum, c) => sum + c.bytes, 0);
  expect(total, code.map((c) => `${c.url} ${c.bytes}`).join(", ")).toBeLessThanOrEqual(PAYER_BUDGET);
}

test("the hosted payment page loads the payer's bundle only, within its byte budget", async ({ browser }) => {
  const checkout = await hostedCheckout({});
  const { page, code, errors } = await phone(browser);
  await page.goto(checkout.url);
  await hydrated(page);
  await page.getByLabel("Card number").pressSequentially("4111 1111 1111 1111");
  await expect(page.locator(".pay-brand")).toHaveText("Visa");
  expectPayerBundle(await code());
  expect(errors).toEqual([]);
});

test("the 3-D Secure page and the final page stay on the payer's bundle", async ({ browser }) => {
  const checkout = await hostedCheckout({});
  const { page, code, errors } = await phone(browser);
  await page.goto(checkout.url);
  await hydrated(page);
  await page.getByLabel("Card number").fill("4000 0000 0000 1091");
  await page.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page).toHaveURL(/\/3ds\//);
  await hydrated(page);
  await page.getByLabel("Verification code").fill("1234");
  await page.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  await hydrated(page);
  const files = await code();
  expect(files.filter((c) => /\/pkg\/openpsp[._]/.test(c.url))).toEqual([]);
  expect(errors).toEqual([]);
});

test("a payment link's pre-payment page and the test cards page load the payer's bundle only", async ({ browser }) => {
  const created = await direct("POST", "/paymentlinks", {
    order: {
      amountOfMoney: { amount: 1500, currencyCode: "EUR" },
      references: { merchantReference: `e2e-bundle-${Date.now()}` },
    },
    paymentLinkSpecificInput: { description: "Bundle check" },
  });
  expect(created.status).toBe(201);
  const link = await phone(browser);
  await link.page.goto(created.json.redirectionUrl);
  await hydrated(link.page);
  await expect(link.page.getByRole("button", { name: /Continue to payment/ })).toBeVisible();
  expectPayerBundle(await link.code());
  expect(link.errors).toEqual([]);

  const cards = await phone(browser);
  await cards.page.goto("/test-cards");
  await hydrated(cards.page);
  await cards.page.getByRole("textbox", { name: "Card number" }).pressSequentially("4111 1111 1111 1111");
  await expect(cards.page.getByRole("status")).toHaveText("Valid Visa number, shown as 411111******1111");
  expectPayerBundle(await cards.code());
  expect(cards.errors).toEqual([]);
});

test("the back office's first page loads no code; the first page opened from it loads the shell and its section, the next ones their section only", async ({ browser }) => {
  const { page, code, errors } = await phone(browser);
  const wasm = async () => (await code()).map((c) => c.url).filter((p) => p.endsWith(".wasm"));
  await loginWithPspid(page, "demo");
  await expectHome(page);
  // Home, like the login page before it, loads no script: it works with plain links,
  // menus and forms (app/src/lib.rs, is_plain_path).
  expect(await code()).toEqual([]);
  await expect(page.locator("script[src], link[rel=modulepreload]")).toHaveCount(0);
  expect(await page.locator("body").getAttribute("data-hydrated")).toBeNull();

  // The first page opened from it: a full page load of the back office's main module and
  // that page's section, which hydrates; never the payer's code.
  await page.evaluate(() => document.querySelector<HTMLAnchorElement>("a[href='/operations/payments']")!.click());
  await expect(page).toHaveURL(/\/operations\/payments$/);
  await expect(page.getByRole("heading", { level: 1, name: "Payments" })).toBeVisible();
  await hydrated(page);
  const afterPayments = await wasm();
  expect(afterPayments.some((p) => p.endsWith("/pkg/openpsp.wasm")), afterPayments.join(", ")).toBe(true);
  expect(afterPayments.filter((p) => p.includes("/pkg/payer"))).toEqual([]);
  // The sections are chunks of their own (lazy routes, `cargo leptos build --split`).
  expect(afterPayments.length, afterPayments.join(", ")).toBeGreaterThan(1);
  // Its tabs answer: the page's code runs.
  await page.getByRole("tab", { name: "Templates" }).click();
  await expect(page.getByRole("tab", { name: "Templates" })).toHaveAttribute("aria-selected", "true");

  // Home again, now drawn in the browser: its own section comes now, nothing else again.
  await page.evaluate(() => document.querySelector<HTMLAnchorElement>("a[href='/']")!.click());
  await expect(page.getByRole("heading", { level: 1, name: "Home" })).toBeVisible();
  const afterHome = await wasm();
  const fetched = afterHome.filter((p) => !afterPayments.includes(p));
  expect(fetched.length, `new on Home: ${fetched.join(", ")}`).toBeGreaterThan(0);
  expect(fetched.filter((p) => p.endsWith("/pkg/openpsp.wasm"))).toEqual([]);
  // Payments again: nothing is fetched twice.
  await page.evaluate(() => document.querySelector<HTMLAnchorElement>("a[href='/operations/payments']")!.click());
  await expect(page.getByRole("heading", { level: 1, name: "Payments" })).toBeVisible();
  expect(await wasm()).toEqual(afterHome);
  expect(errors).toEqual([]);
});

test("a section's code that cannot be fetched stops the page with a notice, and its reload shows the section", async ({ browser }) => {
  const { page, errors } = await phone(browser);
  await loginWithPspid(page, "demo");
  await expectHome(page);
  // A page drawn in the browser (Home loads no code), of another section than Payments.
  await page.goto("/profile");
  await hydrated(page);
  // The connection drops: no chunk of code arrives any more.
  await page.route(/\/pkg\/chunk_\d+\.wasm$/, (route) => route.abort("internetdisconnected"));
  await page.evaluate(() => document.querySelector<HTMLAnchorElement>("a[href='/operations/payments']")!.click());
  const notice = page.getByRole("alert").filter({ hasText: "This page stopped working" });
  await expect(notice).toBeVisible();
  // The panic is logged as it was before the notice.
  await expect.poll(() => errors.some((e) => e.includes("panicked"))).toBe(true);

  // Back online, the notice's link loads the page afresh, and it works.
  await page.unroute(/\/pkg\/chunk_\d+\.wasm$/);
  await notice.getByRole("link", { name: "Reload the page" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Payments" })).toBeVisible();
  await hydrated(page);
  await expect(page.getByRole("alert").filter({ hasText: "This page stopped working" })).toHaveCount(0);
  await page.getByRole("tab", { name: "Templates" }).click();
  await expect(page.getByRole("tab", { name: "Templates" })).toHaveAttribute("aria-selected", "true");
});

test("the back office's code carries no interface text: a page fetches its language's texts only", async ({ browser }) => {
  const { page, code, errors } = await phone(browser);
  const texts: string[] = [];
  page.on("requestfinished", (r) => {
    const path = new URL(r.url()).pathname;
    if (path.startsWith("/static/texts/")) texts.push(path);
  });
  // The back office's pages before a sign-in load no code: the support portal's sign-in
  // page, drawn in the browser, is one that does.
  await page.goto("/support/login");
  await hydrated(page);
  await page.locator(".language-menu summary").click();
  await page.getByRole("button", { name: /^Français/ }).click();
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await hydrated(page);
  // The English page fetched the English texts, the French one the French texts; no other.
  expect(texts.map((t) => t.replace(/-[0-9a-f]+\.json$/, ""))).toEqual(["/static/texts/en", "/static/texts/fr"]);
  // A view the browser draws itself reads them: the password step, after the e-mail.
  await page.getByLabel("Adresse e-mail professionnelle").fill("bob@demo-retail.test");
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.getByLabel("Mot de passe", { exact: true })).toBeVisible();
  // None of the six catalogues is in the code the pages loaded.
  const wasm = [...new Set((await code()).map((c) => c.url).filter((u) => u.endsWith(".wasm")))];
  expect(wasm.length).toBeGreaterThan(0);
  for (const url of wasm) {
    const body = (await (await page.request.get(url)).body()).toString("latin1");
    for (const text of ["Work e-mail address", "Adresse e-mail professionnelle", "Zakelijk e-mailadres", "Berufliche E-Mail-Adresse"]) {
      expect(body.includes(text), `${text} in ${url}`).toBe(false);
    }
  }
  expect(errors).toEqual([]);
});

test("without script the payment page is a plain form: the server refuses a mistyped number next to its field, then pays", async ({ browser }) => {
  const checkout = await hostedCheckout({});
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(checkout.url);
  await expect(page.getByTestId("amount")).toHaveText("49.99 EUR");
  const typeCard = async (number: string) => {
    await page.getByLabel("Card number").fill(number);
    await page.getByLabel("Expiry date (MM/YY)").fill("12/30");
    await page.getByLabel("Security code (CVC)").fill("123");
  };
  await typeCard("4111 1111 1111 1112");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByText("This number has a typing mistake.")).toBeVisible();
  await expect(page.getByLabel("Card number")).toHaveAttribute("aria-invalid", "true");
  // Nothing was paid.
  expect((await direct("GET", `/hostedcheckouts/${checkout.id}`)).json.createdPaymentOutput).toBeUndefined();

  await typeCard("4111 1111 1111 1111");
  await page.getByRole("button", { name: /^Pay / }).click();
  await expect(page.getByRole("heading", { name: "Payment successful" })).toBeVisible();
  await expect(page.getByTestId("receipt")).toContainText("411111******1111");
  await context.close();
});

test("the hosted tokenization page checks the card as typed and saves it, on the payer's bundle", async ({ browser }) => {
  const created = await direct("POST", "/hostedtokenizations", {});
  expect(created.status).toBe(201);
  const { page, code, errors } = await phone(browser);
  await page.goto(created.json.hostedTokenizationUrl);
  await hydrated(page);
  await expect(page.getByRole("heading", { name: "Save a card" })).toBeVisible();
  const number = page.getByLabel("Card number");
  await number.fill("5555 5555 5555 4445");
  await expect(page.locator("#pay-number-error")).toHaveText("This number has a typing mistake.");
  // A form with a problem is not sent.
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(number).toBeFocused();
  await number.fill("5555 5555 5555 4444");
  await expect(page.locator(".pay-brand")).toHaveText("Mastercard");
  await page.getByLabel("Expiry date (MM/YY)").fill("12/30");
  await page.getByRole("button", { name: "Save card" }).click();
  await expect(page.getByRole("status")).toHaveText("Card 555555******4444 saved. You can close this page.");
  await expect(page.getByRole("button", { name: "Save card" })).toBeHidden();
  const got = await direct("GET", `/hostedtokenizations/${created.json.hostedTokenizationId}`);
  expect(got.json.token.card.data.cardWithoutCvv.cardNumber).toBe("555555******4444");
  expectPayerBundle(await code());
  expect(errors).toEqual([]);
});
