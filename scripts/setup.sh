#!/usr/bin/env bash
# Installs what OpenPSP needs and is missing, idempotently. Usage:
#   scripts/setup.sh run      toolchain for building and serving
#   scripts/setup.sh test     + Chromium, PostgreSQL, Playwright
#   scripts/setup.sh release  + wasm-opt for release builds
# Every mode installs wasm-opt: the payer's script is always size-optimised.
# Only crates.io, PyPI, Debian and npm are reachable here: nothing downloads browsers or
# binaries from elsewhere.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
WASM_BINDGEN_VERSION=0.2.130
BINARYEN_VERSION=132

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

toolchain() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    say "rustup target add wasm32-unknown-unknown"
    rustup target add wasm32-unknown-unknown
  fi
  if ! cargo leptos --version 2>/dev/null | grep -q " $CARGO_LEPTOS_VERSION"; then
    say "cargo install cargo-leptos $CARGO_LEPTOS_VERSION (about 16 minutes, once per machine)"
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
    say "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION"
    # No --locked: its lock file names a crate version the registry lacks.
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
  fi
}

release_tools() {
  # The payer's script is sent brotli-compressed (scripts/build-payer.sh).
  apt_install brotli
  # Debian's binaryen is too old (its output fails in Chromium); npm has a current one.
  command -v npm >/dev/null 2>&1 || apt_install nodejs npm
  if ! wasm-opt --version 2>/dev/null | grep -q "version $BINARYEN_VERSION"; then
    say "npm install -g binaryen@$BINARYEN_VERSION"
    as_root npm install -g --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
  fi
}

test_tools() {
  apt_install chromium postgresql curl
  if ! command -v cargo-nextest >/dev/null 2>&1; then
    say "cargo install cargo-nextest"
    cargo install cargo-nextest --locked
  fi
  # The API fuzzer (scripts/fuzz-api.sh), pinned in sdk-tests/fuzz/requirements.txt.
  local fuzz_version
  fuzz_version="$(sed -n 's/^schemathesis==//p' sdk-tests/fuzz/requirements.txt)"
  if ! target/fuzz-venv/bin/schemathesis --version 2>/dev/null | grep -q " $fuzz_version\$"; then
    say "pip install schemathesis $fuzz_version into target/fuzz-venv"
    python3 -m venv target/fuzz-venv
    target/fuzz-venv/bin/pip install --quiet --disable-pip-version-check -r sdk-tests/fuzz/requirements.txt
  fi
  if [ ! -d end2end/node_modules/@playwright/test ]; then
    say "npm ci in end2end/"
    (cd end2end && npm ci --no-audit --no-fund >/dev/null)
  fi
}

case "${1:-run}" in
  run | release) toolchain; release_tools ;;
  test) toolchain; release_tools; test_tools ;;
  *) echo "usage: $0 run|release|test" >&2; exit 2 ;;
esac
