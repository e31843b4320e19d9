#!/usr/bin/env bash
# Fuzzes the server API with schemathesis against its own /v2/openapi.json: one fresh
# OpenPSP on SQLite (or on PostgreSQL when OPENPSP_FUZZ_DATABASE_URL is set), a merchant
# and a v1HMAC API key, every request signed by sdk-tests/fuzz/hooks.py. Fails on any 5xx
# answer and on any answer that does not match the document.
# Usage: scripts/fuzz-api.sh [BIN]; OPENPSP_FUZZ_EXAMPLES (default 25) bounds the test
# cases per operation, OPENPSP_FUZZ_SEED makes a run reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/debug/openpsp}"
VENV="${OPENPSP_FUZZ_VENV:-target/fuzz-venv}"
FUZZ_VERSION="$(sed -n 's/^schemathesis==//p' sdk-tests/fuzz/requirements.txt)"
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q " $FUZZ_VERSION\$"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r sdk-tests/fuzz/requirements.txt
fi
VENV="$(cd "$VENV" && pwd)"

PORT="${OPENPSP_FUZZ_PORT:-3410}"
DATA="$(mktemp -d)"
export OPENPSP_DATA_DIR="$DATA"
export OPENPSP_LISTEN="127.0.0.1:$PORT"
export OPENPSP_PUBLIC_URL="http://127.0.0.1:$PORT"
export OPENPSP_TERMINAL_LISTEN=off
export RUST_LOG="${RUST_LOG:-warn}"
if [ -n "${OPENPSP_FUZZ_DATABASE_URL:-}" ]; then
  export DATABASE_URL="$OPENPSP_FUZZ_DATABASE_URL"
fi
export OPENPSP_ADMIN_PASSWORD='Sunny-Orbit-42!'
"$BIN" create-merchant --pspid fuzzshop --name "Fuzz Shop" >/dev/null
KEYS="$("$BIN" create-api-key --pspid fuzzshop --name fuzzing)"
export OPENPSP_URL="http://127.0.0.1:$PORT"
export OPENPSP_MERCHANT_ID=fuzzshop
OPENPSP_API_KEY_ID="$(sed -n 's/^apiKeyId=//p' <<<"$KEYS")"
OPENPSP_SECRET_API_KEY="$(sed -n 's/^secretApiKey=//p' <<<"$KEYS")"
export OPENPSP_API_KEY_ID OPENPSP_SECRET_API_KEY

"$BIN" serve >"$DATA/server.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$DATA"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$OPENPSP_URL/healthz" >/dev/null 2>&1 && break
  sleep 0.1
done

status=0
# From the temporary directory: schemathesis keeps its crash cache in the working directory.
HOOKS="$PWD/sdk-tests/fuzz"
SCHEMATHESIS="$VENV/bin/schemathesis"
cd "$DATA"
PYTHONPATH="$HOOKS${PYTHONPATH:+:$PYTHONPATH}" SCHEMATHESIS_HOOKS=hooks \
  "$SCHEMATHESIS" run "$OPENPSP_URL/v2/openapi.json" \
  --url "$OPENPSP_URL" \
  --checks not_a_server_error,response_schema_conformance \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "${OPENPSP_FUZZ_EXAMPLES:-25}" \
  ${OPENPSP_FUZZ_SEED:+--seed "$OPENPSP_FUZZ_SEED"} \
  --workers 2 \
  --request-timeout 20 \
  --generation-database none \
  --generation-with-security-parameters false \
  --no-color ${OPENPSP_FUZZ_REPORT:+--report har --report-har-path "$OPENPSP_FUZZ_REPORT"} || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- server log (last 40 lines) ---"
  tail -40 "$DATA/server.log"
fi
exit "$status"
