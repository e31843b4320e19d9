#!/usr/bin/env bash
# Instructions per request of the release build, counted by valgrind's callgrind: unlike
# requests/second on a shared 2-core machine, the same binary and inputs give the same
# count from run to run, so a change's effect on the CPU a request costs shows even when
# wrk's figures are lost in the noise. Counted after a warm-up, requests one at a time:
#   - the S2S create-payment (v1HMAC, idempotence key, card approved and captured) on
#     SQLite and, when BENCH_PG_URL (default postgres://openpsp:openpsp@127.0.0.1:5432/postgres)
#     reaches a role allowed to create databases, on PostgreSQL;
#   - the signed-in Home page of the demo account (SSR), on SQLite.
# The server runs some 50 times slower under callgrind: each count takes a minute or two.
# Not part of the tests.
#   BENCH_SECONDS=10 BENCH_HOME_REQUESTS=40 bench/instructions.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=openpsp

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
for package in valgrind wrk curl; do
  dpkg -s "$package" >/dev/null 2>&1 ||
    { as_root apt-get update -qq && as_root apt-get install -y -qq "$package" >/dev/null; }
done

openpsp=target/release/openpsp
[ -x "$openpsp" ] && [ "${BENCH_BUILD:-0}" != 1 ] || cargo leptos build --release --split

seconds=${BENCH_SECONDS:-10}
home_requests=${BENCH_HOME_REQUESTS:-40}
pg_admin=${BENCH_PG_URL:-postgres://openpsp:openpsp@127.0.0.1:5432/postgres}
port=${BENCH_PORT:-3318}
base="http://127.0.0.1:$port"
pspid=bench
export RUST_LOG=warn OPENPSP_LOG=warn OPENPSP_TERMINAL_LISTEN=off OPENPSP_PUBLIC_URL="$base"
export OPENPSP_LISTEN="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site
export OPENPSP_ADMIN_PASSWORD='Sunny-Orbit-42!'

work=$(mktemp -d /tmp/openpsp-instructions.XXXXXX)
server=""
database=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$database" ]; then
    PGCONNECT_TIMEOUT=3 psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts the server under callgrind with counting off; waits for /healthz.
start_counted() {
  valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/counts" \
    "$openpsp" serve >"$work/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.5
  done
  echo "the server did not start under valgrind; last lines of its log:" >&2
  tail -20 "$work/server.log" >&2
  exit 1
}

# Stops the server (callgrind writes its counts at exit) and sets total to the
# instructions counted. Not in a subshell: only this shell can wait for the server.
stop_counted() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
  total=$(callgrind_annotate "$work/counts" 2>/dev/null |
    awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }')
  rm -f "$work/counts"
}

# label, DATABASE_URL (empty: SQLite in the data dir): create-payment, one at a time.
payments() {
  local label=$1 url=$2 data="$work/$1" keys out count total
  mkdir -p "$data"
  export OPENPSP_DATA_DIR="$data"
  if [ -n "$url" ]; then export DATABASE_URL="$url"; else unset DATABASE_URL; fi
  "$openpsp" create-merchant --pspid "$pspid" --name Bench >/dev/null
  keys=$("$openpsp" create-api-key --pspid "$pspid" --name bench)
  export BENCH_API_KEY_ID BENCH_SECRET BENCH_PATH="/v2/$pspid/payments" BENCH_THREADS=1
  BENCH_API_KEY_ID=$(sed -n 's/^apiKeyId=//p' <<<"$keys")
  BENCH_SECRET=$(sed -n 's/^secretApiKey=//p' <<<"$keys")
  start_counted
  BENCH_DATE=$(python3 bench/sign_requests.py "$pspid" w 2000 "$data/warmup.txt") \
    BENCH_REQUESTS="$data/warmup.txt" wrk -t1 -c1 -d3s -s bench/create_payment.lua "$base" >/dev/null
  callgrind_control -i on "$server" >/dev/null 2>&1
  out=$(BENCH_DATE=$(python3 bench/sign_requests.py "$pspid" r 4000 "$data/requests.txt") \
    BENCH_REQUESTS="$data/requests.txt" wrk -t1 -c1 -d"${seconds}s" -s bench/create_payment.lua "$base")
  callgrind_control -i off "$server" >/dev/null 2>&1
  read -r _ count _ bad _ _ <<<"$(sed -n 's/^bench-check: //p' <<<"$out")"
  stop_counted
  if [ "${count:-0}" -eq 0 ] || [ "${bad:-1}" != 0 ]; then
    echo "create-payment $label: NOT valid (${count:-0} answers, ${bad:-?} not 201)"
    return 1
  fi
  awk -v l="$label" -v t="$total" -v n="$count" \
    'BEGIN { printf "create-payment %s: %.2f M instructions per request (%d requests)\n", l, t / n / 1e6, n }'
}

home() {
  local data="$work/home" password='Bench-Mark-Pass-9!' cookie total
  mkdir -p "$data"
  export OPENPSP_DATA_DIR="$data" OPENPSP_DEMO_PASSWORD="$password" OPENPSP_LOGIN_RATE_PER_MINUTE=100000000
  unset DATABASE_URL
  "$openpsp" seed-demo >/dev/null
  start_counted
  cookie=$(curl -fsS -D - -o /dev/null -H 'accept: application/json' \
    --data-urlencode mode=user --data-urlencode env=test --data-urlencode pspid=demo \
    --data-urlencode user_id=admin --data-urlencode "password=$password" "$base/api/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(openpsp_session=[^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "login for the Home count failed" >&2; return 1; }
  # Enough pages for every pool connection to have prepared each statement once.
  for _ in $(seq 1 24); do curl -fsS -o /dev/null -H "Cookie: $cookie" "$base/"; done
  callgrind_control -i on "$server" >/dev/null 2>&1
  for _ in $(seq 1 "$home_requests"); do curl -fsS -o /dev/null -H "Cookie: $cookie" "$base/"; done
  callgrind_control -i off "$server" >/dev/null 2>&1
  stop_counted
  awk -v t="$total" -v n="$home_requests" \
    'BEGIN { printf "home sqlite: %.2f M instructions per request (%d requests)\n", t / n / 1e6, n }'
}

echo "Instructions per request (callgrind), $openpsp built $(date -u -r "$openpsp" '+%Y-%m-%d %H:%M UTC')"
status=0
payments sqlite "" || status=1
if PGCONNECT_TIMEOUT=3 psql -qtA "$pg_admin" -c 'SELECT 1' >/dev/null 2>&1; then
  database="openpsp_instructions_$$"
  psql -q "$pg_admin" -c "CREATE DATABASE $database" >/dev/null
  payments postgres "${pg_admin%/*}/$database" || status=1
else
  echo "create-payment postgres: skipped, $pg_admin is unreachable (set BENCH_PG_URL)"
fi
home || status=1
exit "$status"
