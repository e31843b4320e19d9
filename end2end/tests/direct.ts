import { createHmac, randomUUID } from "node:crypto";

/** The demo merchant's API key; scripts/test.sh creates it with `openpsp create-api-key`. */
const KEY_ID = process.env.E2E_API_KEY_ID ?? "";
const SECRET = process.env.E2E_API_SECRET ?? "";
const BASE = process.env.BASE_URL ?? "http://127.0.0.1:3000";
export const MERCHANT = "demo";

/** Calls the server API like the Direct SDKs do (v1HMAC over method, type, date, path). */
export async function direct(
  method: "GET" | "POST",
  path: string,
  body?: unknown,
  key: { id: string; secret: string } = { id: KEY_ID, secret: SECRET },
): Promise<{ status: number; json: any }> {
  if (!key.id || !key.secret) throw new Error("E2E_API_KEY_ID and E2E_API_SECRET must be set");
  const resource = `/v2/${MERCHANT}${path}`;
  const date = new Date().toUTCString();
  const contentType = body === undefined ? "" : "application/json";
  const signed = `${method}\n${contentType}\n${date}\n${resource}\n`;
  const signature = createHmac("sha256", key.secret).update(signed).digest("base64");
  const headers: Record<string, string> = { Date: date, Authorization: `GCS v1HMAC:${key.id}:${signature}` };
  if (body !== undefined) headers["Content-Type"] = contentType;
  const res = await fetch(`${BASE}${resource}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

/** Creates a hosted checkout; returns its id and page URL. */
export async function hostedCheckout(options: {
  amount?: number;
  mode?: "SALE" | "PRE_AUTHORIZATION";
  showResultPage?: boolean;
  returnUrl?: string;
  locale?: string;
  customerId?: string;
}): Promise<{ id: string; url: string; returnmac: string }> {
  const amount = options.amount ?? 4999;
  const res = await direct("POST", "/hostedcheckouts", {
    order: {
      amountOfMoney: { amount, currencyCode: "EUR" },
      references: { merchantReference: `e2e-${randomUUID().slice(0, 8)}` },
      customer: options.customerId ? { merchantCustomerId: options.customerId } : undefined,
      shoppingCart: {
        items: [
          { amountOfMoney: { amount: amount - 999, currencyCode: "EUR" }, orderLineDetails: { productName: "Blue mug", productPrice: amount - 999, quantity: 1 } },
          { amountOfMoney: { amount: 999, currencyCode: "EUR" }, orderLineDetails: { productName: "Gift wrap", productPrice: 999, quantity: 1 } },
        ],
      },
    },
    cardPaymentMethodSpecificInput: { authorizationMode: options.mode ?? "SALE" },
    hostedCheckoutSpecificInput: {
      locale: options.locale ?? "en_GB",
      returnUrl: options.returnUrl ?? `${BASE}/test-cards`,
      showResultPage: options.showResultPage ?? true,
    },
  });
  if (res.status !== 201) throw new Error(`hosted checkout: ${res.status} ${JSON.stringify(res.json)}`);
  return { id: res.json.hostedCheckoutId, url: res.json.redirectUrl, returnmac: res.json.RETURNMAC };
}
