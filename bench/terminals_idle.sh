#!/usr/bin/env bash
# What idle card-terminal connections cost: starts the server (SQLite in a fresh data
# dir; PostgreSQL too when OPENPSP_TEST_PG_URL is set, in a fresh database), opens
# IDLE_CONNECTIONS (1000) TCP connections to the terminal gateway that each say Hello
# and then stay silent (bench/terminals_idle_driver.py), and over IDLE_SECONDS (30)
# prints the server's CPU time and the database work, first with no terminal connected
# (the baseline: the job worker and the rest of the server), then with the connections:
#   - PostgreSQL: the transactions the server committed or rolled back
#     (pg_stat_database; every statement outside a transaction is one);
#   - SQLite: no counter exists, so the file locking and I/O system calls on the
#     database files are counted with strace in a second window of the same length
#     (a read transaction takes and releases locks; zero means no statement ran).
# Not part of the tests.
#   bench/terminals_idle.sh
#   OPENPSP_TEST_PG_URL=postgres://openpsp:openpsp@127.0.0.1:5432/postgres bench/terminals_idle.sh
# Uses target/debug/openpsp (IDLE_BIN=target/release/openpsp for a release build),
# building it only when missing (or IDLE_BUILD=1).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=openpsp

openpsp=${IDLE_BIN:-target/debug/openpsp}
if [ "${IDLE_BUILD:-0}" = 1 ] || [ ! -x "$openpsp" ]; then
  case "$openpsp" in
    *release*) cargo build --release -p server --bin openpsp ;;
    *) cargo build -p server --bin openpsp ;;
  esac
fi
connections=${IDLE_CONNECTIONS:-1000}
seconds=${IDLE_SECONDS:-30}
port=${IDLE_PORT:-3331}
gateway_port=${IDLE_GATEWAY_PORT:-9331}
ulimit -n $((connections * 3 + 1024)) 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d)
databases=()
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  for db in "${databases[@]}"; do
    PGCONNECT_TIMEOUT=3 psql -q "$OPENPSP_TEST_PG_URL" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

ticks_per_second=$(getconf CLK_TCK)
# User + system CPU time of process $1 (all its threads), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
xacts() {
  psql -At "$1" -c "SELECT pg_stat_force_next_flush()" >/dev/null 2>&1 || true
  psql -At "$1" -c "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()"
}

# One window of IDLE_SECONDS: CPU time of the server, then (PostgreSQL) its transactions
# in the same window or (SQLite) its database system calls in a second window.
# label, DATABASE_URL (empty: SQLite), data dir
measure() {
  local label=$1 url=$2 data=$3 cpu0 cpu1 x0 x1
  cpu0=$(cpu_ticks "$server")
  if [ -n "$url" ]; then x0=$(xacts "$url"); fi
  sleep "$seconds"
  cpu1=$(cpu_ticks "$server")
  if [ -n "$url" ]; then x1=$(xacts "$url"); fi
  awk -v l="$label" -v t=$((cpu1 - cpu0)) -v hz="$ticks_per_second" -v s="$seconds" \
    'BEGIN { printf "%s: server CPU time %.2f s over %d s (%.1f%% of one core)\n", l, t / hz, s, 100 * t / hz / s }'
  if [ -n "$url" ]; then
    # Each xacts() call is itself one transaction (two with the flush).
    echo "$label: database transactions by the server: $((x1 - x0 - 2)) over ${seconds}s"
  elif command -v strace >/dev/null; then
    strace -f -qq -e trace=fcntl,pread64,pwrite64,fsync,fdatasync -p "$server" -o "$data/strace" &
    local tracer=$!
    sleep "$seconds"
    kill -INT "$tracer" 2>/dev/null || true
    wait "$tracer" 2>/dev/null || true
    # The gateway's sockets make none of these calls: they are the database's.
    echo "$label: SQLite lock and I/O system calls over the next ${seconds}s: $(grep -cE '^[0-9]+ +(fcntl|pread64|pwrite64|fsync|fdatasync)\(' "$data/strace" || true)"
  else
    echo "$label: strace not installed, SQLite statements not counted"
  fi
}

# name, DATABASE_URL (empty: SQLite in the data dir)
run() {
  local name=$1 url=$2 data="$work/$1" ready
  mkdir -p "$data"
  export OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" \
    OPENPSP_TERMINAL_LISTEN="127.0.0.1:$gateway_port" OPENPSP_LOG=warn RUST_LOG=warn \
    OPENPSP_TERMINAL_MAX_CONNECTIONS=$((connections + 100))
  if [ -n "$url" ]; then export DATABASE_URL="$url"; else unset DATABASE_URL; fi
  "$openpsp" serve >"$data/server.log" 2>&1 &
  server=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$gateway_port") 2>/dev/null && break
    sleep 0.1
  done
  sleep "${IDLE_SETTLE:-12}"
  echo "== $name"
  measure "no terminal connected" "$url" "$data"
  mkfifo "$data/hold"
  IDLE_GATEWAY="127.0.0.1:$gateway_port" IDLE_CONNECTIONS="$connections" \
    python3 bench/terminals_idle_driver.py <"$data/hold" >"$data/driver.out" &
  local driver=$!
  exec 4>"$data/hold"
  for _ in $(seq 1 600); do
    ready=$(sed -n 's/^ready //p' "$data/driver.out")
    [ -n "$ready" ] && break
    sleep 0.1
  done
  [ -n "$ready" ] || { echo "$name: the connections never got their Hello responses" >&2; cat "$data/server.log" >&2; exit 1; }
  # Let the Hellos' writes settle (PostgreSQL backends report their counts up to 10 s
  # after they go idle).
  sleep "${IDLE_SETTLE:-12}"
  measure "$ready idle terminal connections" "$url" "$data"
  exec 4>&-
  wait "$driver" || true
  sed -n 's/^closed/connections closed/p' "$data/driver.out"
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

run sqlite ""
if [ -n "${OPENPSP_TEST_PG_URL:-}" ]; then
  db="openpsp_idle_$(date +%s)_$$"
  if PGCONNECT_TIMEOUT=3 psql -q "$OPENPSP_TEST_PG_URL" -c "CREATE DATABASE $db" >/dev/null; then
    databases+=("$db")
    run postgres "${OPENPSP_TEST_PG_URL%/*}/$db"
  else
    echo "PostgreSQL unreachable at OPENPSP_TEST_PG_URL: skipped" >&2
  fi
else
  echo "OPENPSP_TEST_PG_URL not set: PostgreSQL skipped"
fi
