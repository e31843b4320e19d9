#!/usr/bin/env bash
# Three nodes on one PostgreSQL (PL-2), release build: nodes A and B run throughout,
# node C is the one bench/crash_driver.py kill -9s at random moments and restarts;
# bench/front.py spreads the connections round-robin over the three (skipping a node
# that is down). The driver's create/capture/refund load goes through the front, and
# after each kill it checks that no payment is lost or duplicated, every ledger equals
# its operations, every job is done or claimable; at the end, that every webhook event
# was delivered. Prints the driver's counts. Not part of the tests.
#   OPENPSP_TEST_PG_URL=postgres://openpsp:openpsp@127.0.0.1:5432/postgres bench/nodes.sh
#   CRASH_KILLS=10 … (50 by default)
# Uses target/release/openpsp as it is, building it only when missing (or NODES_BUILD=1);
# NODES_OPENPSP=target/debug/openpsp runs another build (the checks do not depend on speed).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=openpsp

if [ -z "${OPENPSP_TEST_PG_URL:-}" ]; then
  echo "set OPENPSP_TEST_PG_URL (an administrative PostgreSQL URL): several nodes need PostgreSQL" >&2
  exit 2
fi
openpsp=${NODES_OPENPSP:-target/release/openpsp}
if [ "${NODES_BUILD:-0}" = 1 ] || [ ! -x "$openpsp" ]; then
  cargo build --release -p server --bin openpsp
fi
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }

front_port=${NODES_PORT:-3330}
hook_port=$((front_port + 9))
base="http://127.0.0.1:$front_port"
pspid=nodes
work=$(mktemp -d)
db="openpsp_nodes_$(date +%s)_$$"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PGCONNECT_TIMEOUT=3 psql -q "$OPENPSP_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

psql -q "$OPENPSP_TEST_PG_URL" -c "CREATE DATABASE $db" >/dev/null
# Every node shares the database and the keys (sessions, sealed data); each has its own
# data directory and port.
export DATABASE_URL="${OPENPSP_TEST_PG_URL%/*}/$db"
export OPENPSP_SESSION_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(64))')
export OPENPSP_DATA_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
export OPENPSP_TERMINAL_LISTEN=off OPENPSP_PUBLIC_URL="$base" OPENPSP_WEBHOOK_ALLOW_PRIVATE=on \
  OPENPSP_LOG=warn RUST_LOG=warn OPENPSP_ADMIN_PASSWORD='Sunny-Orbit-42!'

node() { # name port: the environment of one node
  mkdir -p "$work/$1"
  echo "OPENPSP_DATA_DIR=$work/$1 OPENPSP_LISTEN=127.0.0.1:$2"
}
start() { # name port
  env $(node "$1" "$2") "$openpsp" serve >>"$work/$1.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$2/readyz" >/dev/null && return 0
    sleep 0.1
  done
  echo "node $1 did not start; its log:" >&2
  tail -n 20 "$work/$1.log" >&2
  exit 1
}

# Node A migrates the database first; B follows; C is the driver's.
start a $((front_port + 1))
start b $((front_port + 2))
python3 bench/front.py "$front_port" $((front_port + 1)) $((front_port + 2)) $((front_port + 3)) &
pids+=($!)

keys=$(env $(node cli 0) "$openpsp" create-merchant --pspid "$pspid" --name Nodes >/dev/null &&
  env $(node cli 0) "$openpsp" create-api-key --pspid "$pspid" --name nodes)
hook=$(env $(node cli 0) "$openpsp" add-webhook --pspid "$pspid" --url "http://127.0.0.1:$hook_port/hook")
echo "== three nodes on PostgreSQL behind a round-robin front, node C killed ${CRASH_KILLS:-50} times"
CRASH_BASE="$base" CRASH_PSPID="$pspid" \
  CRASH_KEY_ID=$(sed -n 's/^apiKeyId=//p' <<<"$keys") \
  CRASH_SECRET=$(sed -n 's/^secretApiKey=//p' <<<"$keys") \
  CRASH_HOOK_SECRET=$(sed -n 's/^secret=//p' <<<"$hook") \
  CRASH_HOOK_PORT="$hook_port" CRASH_DB="$DATABASE_URL" CRASH_LOG="$work/c.log" \
  CRASH_READY="http://127.0.0.1:$((front_port + 3))/readyz" \
  CRASH_SERVER="exec env $(node c $((front_port + 3))) $openpsp serve" \
  python3 bench/crash_driver.py
