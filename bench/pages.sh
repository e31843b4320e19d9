#!/usr/bin/env bash
# Payer-facing page figures in Chromium on a slow phone profile: viewport 360×740,
# 1.6 Mbps down / 750 kbps up / 150 ms RTT and CPU slowed 4× (Chrome DevTools Protocol),
# each page from a cold cache, asking for brotli as Chromium does over HTTPS. Pages: the hosted payment page (interactive when the card
# number typed shows its brand), a payment link's pre-payment page (interactive when
# "Continue to payment" works; then it is clicked and must reach /pay/…), and the back
# office's /login and, after signing in as the demo admin, Home (neither loads a script),
# then Payments (a full page load: the back office's main module and Payments' section,
# hydrated) and History (client-side: its section only), and the support portal's
# sign-in page (a full page load, figures only). Prints per page the
# JS+WASM bytes transferred, the same bodies gzipped (level 9), all bytes transferred,
# time to interactive and Largest Contentful Paint, next to the targets (hosted page
# interactive ≤ 2.5 s, LCP ≤ 2.0 s; payer pages ≤ 100 KiB JS+WASM gzipped) and whether
# they are met. Figures only: exits 0 when a target is not met, non-zero when a page
# could not be driven. Not part of the tests.
#   bench/pages.sh             # target/release/openpsp, LEPTOS_SITE_ROOT=target/site
#   bench/pages.sh --debug     # target/debug/openpsp (cargo leptos build)
#   PAGES_BIN=… PAGES_SITE=… PAGES_TIMEOUT=600 bench/pages.sh
# Uses copies of the binary and site as they are (build both with one `cargo leptos build
# [--release]` followed by `scripts/build-payer.sh`, which adds the payer's script: from
# different builds the back office's pages fail to hydrate), Chromium at
# /usr/bin/chromium (CHROMIUM_PATH) and Playwright from end2end/node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

profile=release
for arg in "$@"; do
  case $arg in
    --debug) profile=debug ;;
    --release) profile=release ;;
    *) echo "usage: bench/pages.sh [--debug]" >&2; exit 2 ;;
  esac
done
openpsp=${PAGES_BIN:-target/$profile/openpsp}
site=${PAGES_SITE:-target/site}
[ -x "$openpsp" ] || { echo "$openpsp is missing: build it with cargo leptos build$([ "$profile" = release ] && echo ' --release')" >&2; exit 1; }
[ -d "$site/pkg" ] || { echo "$site/pkg is missing: build the site with cargo leptos build" >&2; exit 1; }
[ -d end2end/node_modules/@playwright/test ] ||
  { echo "end2end/node_modules/@playwright/test is missing: run (cd end2end && npm ci)" >&2; exit 1; }
command -v node >/dev/null || { echo "node is needed" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

port=${PAGES_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
base="http://127.0.0.1:$port"
password='Bench-Pages-Pass-7!'
work=$(mktemp -d /tmp/openpsp-bench-pages.XXXXXX)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# Copies of the binary and the site: a build running meanwhile rewrites target/.
mkdir -p "$work/bin" "$work/data"
cp "$openpsp" "$work/bin/openpsp"
cp -r "$site" "$work/site"
[ -n "$(ls "$work"/site/pkg/*.wasm 2>/dev/null)" ] && [ -n "$(ls "$work"/site/pkg/*.js 2>/dev/null)" ] ||
  { echo "$site/pkg has no .wasm or .js (a build under way?): try again when it is done" >&2; exit 1; }
[ -f "$work/site/pkg/payer.wasm" ] && [ -f "$work/site/pkg/payer.js" ] ||
  { echo "$site/pkg has no payer bundle: run scripts/build-payer.sh after cargo leptos build" >&2; exit 1; }
label=$openpsp
openpsp="$work/bin/openpsp"

unset DATABASE_URL
export OPENPSP_DATA_DIR="$work/data" OPENPSP_LISTEN="127.0.0.1:$port" OPENPSP_PUBLIC_URL="$base"
export LEPTOS_SITE_ROOT="$work/site" OPENPSP_DEMO_PASSWORD="$password" OPENPSP_TERMINAL_LISTEN=off
export OPENPSP_LOG=warn RUST_LOG=warn

"$openpsp" seed-demo >"$work/seed.txt"
keys=$("$openpsp" create-api-key --pspid demo --name bench-pages)
key_id=$(sed -n 's/^apiKeyId=//p' <<<"$keys")
secret=$(sed -n 's/^secretApiKey=//p' <<<"$keys")

"$openpsp" serve >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.2
done
curl -fsS "$base/healthz" >/dev/null 2>&1 || {
  echo "the server did not start; last lines of its log:" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}

# path, JSON body: a Direct API POST signed like the SDKs do (v1HMAC over method, content
# type, date, resource); prints the answer's body, fails unless 201.
direct_post() {
  local resource="/v2/demo$1" body=$2 date signature out
  date=$(date -u '+%a, %d %b %Y %H:%M:%S GMT')
  signature=$(printf 'POST\napplication/json\n%s\n%s\n' "$date" "$resource" |
    openssl dgst -sha256 -hmac "$secret" -binary | base64)
  out=$(curl -sS -w '\n%{http_code}' -X POST "$base$resource" -H 'Content-Type: application/json' \
    -H "Date: $date" -H "Authorization: GCS v1HMAC:$key_id:$signature" --data "$body")
  if [ "${out##*$'\n'}" != 201 ]; then
    echo "POST $resource answered ${out##*$'\n'}: ${out%$'\n'*}" >&2
    return 1
  fi
  printf '%s\n' "${out%$'\n'*}"
}
json_field() { python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

hosted=$(direct_post /hostedcheckouts '{"order":{"amountOfMoney":{"amount":2500,"currencyCode":"EUR"},
  "references":{"merchantReference":"bench-pages"}},"hostedCheckoutSpecificInput":{"locale":"en_GB"}}' |
  json_field redirectUrl)
link=$(direct_post /paymentlinks '{"order":{"amountOfMoney":{"amount":2500,"currencyCode":"EUR"}}}' |
  json_field redirectionUrl)

echo "Payer-facing pages, $profile build ($label, site $site), $(nproc) cores"
status=0
PAGES_BASE="$base" PAGES_HOSTED_URL="$hosted" PAGES_LINK_URL="$link" PAGES_PASSWORD="$password" \
  PAGES_ROOT="$root" node bench/pages_driver.mjs || status=$?
if [ "$status" != 0 ]; then
  echo "--- server log (last 20 lines) ---"
  tail -20 "$work/server.log"
fi
exit "$status"
