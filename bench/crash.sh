#!/usr/bin/env bash
# Crash safety of the release build: bench/crash_driver.py drives create/capture/refund
# load through the Direct API (v1HMAC, an idempotence key per request), kill -9s the
# server at random moments CRASH_KILLS times (50), restarts it, re-sends every request that
# was in flight with its key, and checks after each restart that no payment is lost or
# duplicated (by idempotence key), every payment's ledger equals the sum of its
# operations, every job is done or claimable, and at the end that every webhook event
# reached the local receiver at least once. Prints the counts. Not part of the tests.
#   CRASH_KILLS=10 bench/crash.sh            # SQLite; PostgreSQL too when
#   OPENPSP_TEST_PG_URL=postgres://…/postgres bench/crash.sh   # a fresh database is made
# Uses target/release/openpsp as it is, building it only when missing (or CRASH_BUILD=1).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=openpsp

openpsp=target/release/openpsp
if [ "${CRASH_BUILD:-0}" = 1 ] || [ ! -x "$openpsp" ]; then
  cargo build --release -p server --bin openpsp
fi
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

port=${CRASH_PORT:-3321}
hook_port=${CRASH_HOOK_PORT:-3322}
pspid=crash
base="http://127.0.0.1:$port"
work=$(mktemp -d)
databases=()
cleanup() {
  for db in "${databases[@]}"; do
    PGCONNECT_TIMEOUT=3 psql -q "$OPENPSP_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [ "${CRASH_KEEP:-0}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# name, DATABASE_URL (empty: SQLite in the data dir), what the driver queries.
run() {
  local name=$1 url=$2 query=$3 data keys hook
  data="$work/$name"
  mkdir -p "$data"
  export OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" OPENPSP_TERMINAL_LISTEN=off \
    OPENPSP_PUBLIC_URL="$base" OPENPSP_WEBHOOK_ALLOW_PRIVATE=on OPENPSP_LOG=warn RUST_LOG=warn \
    OPENPSP_ADMIN_PASSWORD='Sunny-Orbit-42!'
  if [ -n "$url" ]; then export DATABASE_URL="$url"; else unset DATABASE_URL; fi
  "$openpsp" create-merchant --pspid "$pspid" --name Crash >/dev/null
  keys=$("$openpsp" create-api-key --pspid "$pspid" --name crash)
  hook=$("$openpsp" add-webhook --pspid "$pspid" --url "http://127.0.0.1:$hook_port/hook")
  echo "== $name: $(date -u +%H:%M:%S), ${CRASH_KILLS:-50} kills"
  CRASH_BASE="$base" CRASH_PSPID="$pspid" \
    CRASH_KEY_ID=$(sed -n 's/^apiKeyId=//p' <<<"$keys") \
    CRASH_SECRET=$(sed -n 's/^secretApiKey=//p' <<<"$keys") \
    CRASH_HOOK_SECRET=$(sed -n 's/^secret=//p' <<<"$hook") \
    CRASH_HOOK_PORT="$hook_port" CRASH_DB="$query" CRASH_LOG="$data/server.log" \
    CRASH_SERVER="exec $openpsp serve" \
    python3 bench/crash_driver.py
}

status=0
run sqlite "" "$work/sqlite/openpsp.db" || status=1
if [ -n "${OPENPSP_TEST_PG_URL:-}" ]; then
  db="openpsp_crash_$(date +%s)_$$"
  if PGCONNECT_TIMEOUT=3 psql -q "$OPENPSP_TEST_PG_URL" -c "CREATE DATABASE $db" >/dev/null; then
    databases+=("$db")
    url="${OPENPSP_TEST_PG_URL%/*}/$db"
    run postgres "$url" "$url" || status=1
  else
    echo "PostgreSQL unreachable at OPENPSP_TEST_PG_URL: skipped" >&2
  fi
else
  echo "OPENPSP_TEST_PG_URL not set: PostgreSQL skipped"
fi
exit $status
