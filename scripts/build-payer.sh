#!/usr/bin/env bash
# Builds the payer's script: the small WebAssembly (crate `payer`, no framework) that
# enhances the server-rendered payer pages (hosted payment, 3-D Secure, tokenization,
# pre-payment and test-card pages) with the domain's checks as typed; nothing of the back
# office or the support portal. Writes payer.js and payer.wasm, optimised for size
# (wasm-opt -Oz) and compressed beside (.gz and .br, sent as they are), into the site's pkg folder
# next to what `cargo leptos build` wrote. Always the size-optimised profile: the payer's
# budget is measured on what this writes.
#   scripts/build-payer.sh            # into ${LEPTOS_SITE_ROOT:-target/site}/pkg
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# The same value cargo-leptos sets, so the crates compiled for the browser are shared.
export LEPTOS_OUTPUT_NAME=openpsp

pkg="${LEPTOS_SITE_ROOT:-target/site}/pkg"
command -v wasm-opt >/dev/null || { echo "wasm-opt is missing: run scripts/setup.sh release" >&2; exit 1; }
command -v brotli >/dev/null || { echo "brotli is missing: run scripts/setup.sh release" >&2; exit 1; }
cargo build -p payer --lib --target wasm32-unknown-unknown --profile wasm-release
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$out" --out-name payer \
  target/wasm32-unknown-unknown/wasm-release/payer.wasm
# rustc's wasm32 target uses bulk memory and non-trapping float conversions.
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int \
  "$out/payer_bg.wasm" -o "$out/payer.wasm"
mkdir -p "$pkg"
cp "$out/payer.js" "$out/payer.wasm" "$pkg/"
rm -f "$pkg/payer.js.gz" "$pkg/payer.wasm.gz" "$pkg/payer.js.br" "$pkg/payer.wasm.br"
gzip -9 -k "$pkg/payer.js" "$pkg/payer.wasm"
# Browsers ask for brotli over HTTPS only; it is about a quarter smaller than gzip here.
brotli -q 11 -k "$pkg/payer.js" "$pkg/payer.wasm"
printf 'payer bundle: payer.wasm %s bytes (%s gzipped, %s brotli), payer.js %s bytes (%s gzipped, %s brotli)\n' \
  "$(stat -c %s "$pkg/payer.wasm")" "$(stat -c %s "$pkg/payer.wasm.gz")" "$(stat -c %s "$pkg/payer.wasm.br")" \
  "$(stat -c %s "$pkg/payer.js")" "$(stat -c %s "$pkg/payer.js.gz")" "$(stat -c %s "$pkg/payer.js.br")"
