#!/usr/bin/env bash
# Runs the Direct SDK conformance suites (sdk-tests/: the Python SDK's, the Node.js SDK's, then the
# payment links suite of the current Python SDK) against one fresh OpenPSP on SQLite, or on
# PostgreSQL when OPENPSP_SDK_DATABASE_URL is set.
# Usage: scripts/sdk-conformance.sh [BIN [TEST_NAME...]]; exits non-zero when any suite fails.
# OPENPSP_SDK_SUITES="python node paylinks" (the default) chooses the suites; test names go to each.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/debug/openpsp}"
SUITES=" ${OPENPSP_SDK_SUITES:-python node paylinks} "
VENV="${OPENPSP_SDK_VENV:-target/sdk-venv}"
CURRENT_VENV="${OPENPSP_SDK_CURRENT_VENV:-target/sdk-venv-current}"
if [[ "$SUITES" == *" python "* ]]; then
  if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r sdk-tests/requirements.txt
fi
if [[ "$SUITES" == *" paylinks "* ]]; then
  if [ ! -x "$CURRENT_VENV/bin/python" ]; then
    python3 -m venv "$CURRENT_VENV"
  fi
  "$CURRENT_VENV/bin/pip" install --quiet --disable-pip-version-check -r sdk-tests/paylinks/requirements.txt
fi
if [[ "$SUITES" == *" node "* ]] && [ ! -d sdk-tests/node/node_modules/onlinepayments-sdk-nodejs ]; then
  (cd sdk-tests/node && npm ci --no-audit --no-fund)
fi

PORT="${OPENPSP_SDK_PORT:-3400}"
HOOK_PORT="${OPENPSP_SDK_WEBHOOK_PORT:-3401}"
DATA="$(mktemp -d)"
export OPENPSP_DATA_DIR="$DATA"
export OPENPSP_LISTEN="127.0.0.1:$PORT"
export OPENPSP_PUBLIC_URL="http://127.0.0.1:$PORT"
export OPENPSP_TERMINAL_LISTEN=off
export RUST_LOG="${RUST_LOG:-warn}"
if [ -n "${OPENPSP_SDK_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$OPENPSP_SDK_DATABASE_URL"
fi
export OPENPSP_ADMIN_PASSWORD='Sunny-Orbit-42!'
"$BIN" create-merchant --pspid sdkshop --name "SDK Shop" >/dev/null
"$BIN" create-merchant --pspid sdkother --name "Other Shop" >/dev/null
KEYS="$("$BIN" create-api-key --pspid sdkshop --name conformance)"
HOOK="$("$BIN" add-webhook --pspid sdkshop --url "http://127.0.0.1:$HOOK_PORT/webhooks")"
# Diners Club off: the products list and payments follow the active methods (MB-11).
"$BIN" set-payment-method --pspid sdkshop --method 132 --active false >/dev/null
# iDEAL on (euros, the Netherlands): a redirect payment approved on the bank page (issue 16).
"$BIN" set-payment-method --pspid sdkshop --method 809 --active true --currencies EUR --countries NL >/dev/null
# A fraud rule the suites can trip without touching their other payments (MB-19).
"$BIN" add-fraud-rule --pspid sdkshop --kind max_amount --amount 900000 --currency EUR >/dev/null
export OPENPSP_URL="http://127.0.0.1:$PORT"
export OPENPSP_MERCHANT_ID=sdkshop
export OPENPSP_OTHER_MERCHANT_ID=sdkother
OPENPSP_API_KEY_ID="$(sed -n 's/^apiKeyId=//p' <<<"$KEYS")"
OPENPSP_SECRET_API_KEY="$(sed -n 's/^secretApiKey=//p' <<<"$KEYS")"
OPENPSP_WEBHOOK_KEY_ID="$(sed -n 's/^keyId=//p' <<<"$HOOK")"
OPENPSP_WEBHOOK_SECRET="$(sed -n 's/^secret=//p' <<<"$HOOK")"
export OPENPSP_API_KEY_ID OPENPSP_SECRET_API_KEY OPENPSP_WEBHOOK_KEY_ID OPENPSP_WEBHOOK_SECRET
export OPENPSP_WEBHOOK_PORT="$HOOK_PORT"
# The SDK does not talk to card terminals: leave port 9000 alone.
export OPENPSP_TERMINAL_LISTEN=off
# The suites' webhook receiver listens on 127.0.0.1.
export OPENPSP_WEBHOOK_ALLOW_PRIVATE=on

"$BIN" serve >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done
# Each suite listens on $OPENPSP_WEBHOOK_PORT while it runs, one after the other.
python_status=0
if [[ "$SUITES" == *" python "* ]]; then
  "$VENV/bin/python" sdk-tests/conformance.py "${@:2}" || python_status=$?
  echo
fi
node_status=0
if [[ "$SUITES" == *" node "* ]]; then
  node sdk-tests/node/conformance.mjs "${@:2}" || node_status=$?
fi
paylinks_status=0
if [[ "$SUITES" == *" paylinks "* ]]; then
  echo
  "$CURRENT_VENV/bin/python" sdk-tests/paylinks/conformance.py "${@:2}" || paylinks_status=$?
fi
status=0
if [ "$python_status" -ne 0 ]; then
  status=1
  echo "--- Python SDK suite failed (exit $python_status)"
fi
if [ "$node_status" -ne 0 ]; then
  status=1
  echo "--- Node.js SDK suite failed (exit $node_status)"
fi
if [ "$paylinks_status" -ne 0 ]; then
  status=1
  echo "--- payment links suite (current Python SDK) failed (exit $paylinks_status)"
fi
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---"
  tail -40 "$DATA/server.log"
fi
exit "$status"
