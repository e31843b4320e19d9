#!/usr/bin/env bash
# Create-payment load figures for the release build, measured with wrk on loopback: the
# S2S API (POST /v2/{PSPID}/payments, v1HMAC, one idempotence key per request, card
# approved and captured: SALE) against a baseline making the same inserts and updates
# with raw SQL in a bare axum handler (server/examples/baseline.rs), on SQLite and on
# PostgreSQL, each from a fresh database. Prints requests/second, p50 and p99 per run, the
# CPU time one answer cost the server and PostgreSQL during the measured run, and
# the ratio OpenPSP/baseline per backend. Not part of the tests.
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=16 bench/create_payment.sh
# BENCH_BACKENDS (default "sqlite postgres") picks the backends measured.
# Uses target/release/openpsp and target/release/examples/baseline as they are, building
# them only when missing (or when BENCH_BUILD=1): OpenPSP as `cargo leptos build --release`
# builds it (what bench/run.sh and scripts/run.sh measure), the baseline on its own, so
# that building the example (with the server's dev-dependencies) never replaces the
# measured binary. PostgreSQL: BENCH_PG_URL (default
# postgres://openpsp:openpsp@127.0.0.1:5432/postgres) must reach a role allowed to create
# databases; when it cannot, PostgreSQL is skipped with a message.
# Each backend's OpenPSP server is also measured paced at half its peak rate, for the
# p99 a payer sees while it is busy but not saturated; on SQLite that run also prints,
# from the server's /metrics (on BENCH_PORT + 1), how many commits and WAL restarts held
# the writes up and the slowest of each, so a high p99 says whether it waited for the disk.
# Exits non-zero when a run had answers other than 201 or socket errors.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=openpsp

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
dpkg -s wrk >/dev/null 2>&1 || { as_root apt-get update -qq && as_root apt-get install -y -qq wrk >/dev/null; }
dpkg -s curl >/dev/null 2>&1 || as_root apt-get install -y -qq curl >/dev/null
command -v psql >/dev/null 2>&1 || echo "psql not found: PostgreSQL will be skipped" >&2

openpsp=target/release/openpsp
baseline=target/release/examples/baseline
if [ "${BENCH_BUILD:-0}" = 1 ] || [ ! -x "$openpsp" ]; then
  cargo leptos build --release --split
fi
if [ "${BENCH_BUILD:-0}" = 1 ] || [ ! -x "$baseline" ]; then
  cargo build --release -p server --example baseline
fi

seconds=${BENCH_SECONDS:-10}
warmup=${BENCH_WARMUP_SECONDS:-2}
connections=${BENCH_CONNECTIONS:-16}
threads=${BENCH_THREADS:-2}
# Above SQLite's 5 s busy timeout: a slow answer counts in the latencies, not as an error.
timeout=${BENCH_TIMEOUT:-10s}
port=${BENCH_PORT:-3312}
metrics_port=$((port + 1))
pg_admin=${BENCH_PG_URL:-postgres://openpsp:openpsp@127.0.0.1:5432/postgres}
pspid=bench
base="http://127.0.0.1:$port"
export RUST_LOG=warn OPENPSP_LOG=warn OPENPSP_TERMINAL_LISTEN=off
export OPENPSP_ADMIN_PASSWORD='Sunny-Orbit-42!'
export BENCH_PATH="/v2/$pspid/payments" BENCH_THREADS="$threads"

work=$(mktemp -d /tmp/openpsp-bench-payments.XXXXXX)
server=""
databases=()
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  for db in "${databases[@]}"; do
    PGCONNECT_TIMEOUT=3 psql -q "$pg_admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

start() { # name, log file, command…: starts a server in the background, waits for /healthz
  local name=$1 log=$2
  shift 2
  "$@" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "$name did not start; last lines of its log:" >&2
  tail -20 "$log" >&2
  exit 1
}

stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

# wrk once; sets rps, p50, p99 (ms) and problems (empty when every answer was 201).
run_wrk() {
  local duration=$1 out check socket
  out=$(wrk -t"$threads" -c"$connections" -d"$duration" --timeout "$timeout" --latency \
    -s bench/create_payment.lua "$base")
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' <<<"$out")
  local to_ms='function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
    if (v ~ /s$/) return v * 1000; if (v ~ /m$/) return v * 60000; return v + 0 }'
  p50=$(awk "$to_ms"' $1 == "50%" {printf "%.2f", ms($2)}' <<<"$out")
  p99=$(awk "$to_ms"' $1 == "99%" {printf "%.2f", ms($2)}' <<<"$out")
  check=$(sed -n 's/^bench-check: //p' <<<"$out")
  socket=$(sed -n 's/^ *Socket errors: //p' <<<"$out")
  problems=""
  read -r _ total _ non201 _ reused <<<"$check"
  [ "${total:-0}" -gt 0 ] || problems="no responses"
  [ "${non201:-0}" = 0 ] || problems+="${problems:+; }$non201 of $total answers not 201"
  [ "${reused:-0}" = 0 ] || problems+="${problems:+; }$reused requests replayed an idempotence key"
  [ -z "$socket" ] || problems+="${problems:+; }socket errors: $socket"
  first_error=$(sed -n 's/^bench-first-error: //p' <<<"$out")
}

# CPU time (clock ticks, user + system, all threads) of the processes given.
cpu_ticks() {
  local sum=0 pid
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    # After "pid (command) ": utime is the 12th field, stime the 13th.
    sum=$((sum + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')))
  done
  echo "$sum"
}

# The database server's processes (PostgreSQL's; none for SQLite, which runs inside the
# server measured): set by backend().
database_pids() { if [ "$database_name" = PostgreSQL ]; then pgrep -x postgres || true; fi; }

status=0
# label, mode (signed|unsigned): warm-up, then the measured run; prints its figures and
# the CPU time one answer cost the server and the database server during that run: on a
# shared 2-core machine req/s swing from run to run, the CPU per answer much less.
measure() {
  local label=$1 mode=$2 count server0 database0 server1 database1
  if [ "$mode" = signed ]; then
    # The warm-up rate sizes the measured run's file: twice what it would need.
    BENCH_DATE=$(python3 bench/sign_requests.py "$pspid" w 20000 "$work/warmup.txt") \
      BENCH_REQUESTS="$work/warmup.txt" run_wrk "${warmup}s"
    count=$(((rps * seconds * 2 > 20000) ? rps * seconds * 2 : 20000))
    # Signed before the CPU count starts (the script prints the Date it signed with).
    python3 bench/sign_requests.py "$pspid" r "$count" "$work/requests.txt" >"$work/date.txt"
    server0=$(cpu_ticks "$server") database0=$(cpu_ticks $(database_pids))
    BENCH_DATE=$(cat "$work/date.txt") BENCH_REQUESTS="$work/requests.txt" run_wrk "${seconds}s"
  else
    BENCH_DATE=$(date -u '+%a, %d %b %Y %H:%M:%S GMT') BENCH_KEY_PREFIX=w run_wrk "${warmup}s"
    server0=$(cpu_ticks "$server") database0=$(cpu_ticks $(database_pids))
    BENCH_DATE=$(date -u '+%a, %d %b %Y %H:%M:%S GMT') BENCH_KEY_PREFIX=r run_wrk "${seconds}s"
  fi
  server1=$(cpu_ticks "$server") database1=$(cpu_ticks $(database_pids))
  printf '%s: %s req/s, p50 %s ms, p99 %s ms\n' "$label" "$rps" "$p50" "$p99"
  awk -v s=$((server1 - server0)) -v d=$((database1 - database0)) -v n="${total:-0}" \
    -v hz="$(getconf CLK_TCK)" -v db="$database_name" 'BEGIN { if (n > 0) {
      printf "  CPU per answer: server %.2f ms", s / hz * 1000 / n
      if (db != "") printf ", %s %.2f ms", db, d / hz * 1000 / n
      printf "\n" } }'
  flag_problems
}

# After a run_wrk: marks the run and the bench as not valid when it had errors.
flag_problems() {
  if [ -n "$problems" ]; then
    echo "  !! ERRORS in this run ($problems): its figures are NOT valid"
    [ -z "$first_error" ] || echo "  !! first: $first_error"
    status=1
    invalid=1
  fi
}

# label, peak rate: the signed run again, paced at half the peak rate (BENCH_RATE in
# bench/create_payment.lua), the latency a payer sees while the server is busy but not
# saturated; prints it against the target p99 <= 25 ms.
measure_half() {
  local label=$1 half=$(($2 / 2)) steps
  [ "$half" -gt 0 ] || return 0
  steps=$(writer_histograms)
  BENCH_DATE=$(python3 bench/sign_requests.py "$pspid" h $((half * seconds * 2 + 1000)) "$work/half.txt") \
    BENCH_REQUESTS="$work/half.txt" BENCH_RATE="$half" run_wrk "${seconds}s"
  awk -v l="$label" -v h="$half" -v r="$rps" -v a="$p50" -v b="$p99" 'BEGIN {
    printf "%s at half the peak rate (%d req/s asked): %d req/s, p50 %.2f ms, p99 %.2f ms, target p99 <= 25 ms: %s\n",
      l, h, r, a, b, (b <= 25 ? "met" : "NOT met") }'
  writer_steps "$steps" "$(writer_histograms)"
  flag_problems
}

# The SQLite writer's histograms (OPENPSP_METRICS_LISTEN), their bucket lines.
writer_histograms() {
  curl -fsS "http://127.0.0.1:$metrics_port/metrics" 2>/dev/null |
    grep -E '^openpsp_sqlite_(commit|wal_restart)_seconds_bucket' || true
}

# before, after (writer_histograms): the SQLite writer's steps that hold the writes up,
# between the two scrapes: how many commits and WAL restarts, the bucket their 99th
# percentile and their slowest fall in, so that a high p99 says whether the requests
# waited for the disk (a commit's fsync) or for a restart of the WAL.
writer_steps() {
  awk -v before="$1" 'BEGIN { n = split(before, b, "\n")
      for (i = 1; i <= n; i++) { split(b[i], f, " "); seen[f[1]] = f[2] } }
    { split($0, f, " "); d = f[2] - seen[f[1]]; name = f[1]; sub(/_bucket.*/, "", name)
      le = f[1]; sub(/.*le="/, "", le); sub(/".*/, "", le)
      k[name]++; les[name, k[name]] = le; cum[name, k[name]] = d }
    END { split("openpsp_sqlite_commit_seconds openpsp_sqlite_wal_restart_seconds", names, " ")
      for (j = 1; j <= 2; j++) { name = names[j]; total = cum[name, k[name]]; if (total == 0) continue
        p99 = ""; max = ""
        for (i = 1; i <= k[name]; i++) {
          if (p99 == "" && cum[name, i] >= 0.99 * total) p99 = les[name, i]
          if (max == "" && cum[name, i] == total) max = les[name, i] }
        what = (name ~ /commit/ ? "commits" : "WAL restarts")
        printf "  SQLite writer: %d %s, p99 %s, slowest %s\n", total, what, ms(p99), ms(max) } }
    function ms(le) { return (le == "+Inf" ? "> 8 s" : sprintf("<= %g ms", le * 1000)) }' <<<"$2"
}

# backend name, OpenPSP's DATABASE_URL (empty: SQLite in its data dir), the baseline's.
backend() {
  local name=$1 openpsp_url=$2 baseline_url=$3 data keys o_rps o_p50 o_p99
  invalid=0
  database_name=""
  # PostgreSQL's CPU is counted when its processes can be listed (pgrep, from procps).
  if [ "$name" = postgres ] && command -v pgrep >/dev/null 2>&1; then database_name=PostgreSQL; fi
  data="$work/$name"
  mkdir -p "$data"
  (
    export OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" OPENPSP_TERMINAL_LISTEN=off OPENPSP_PUBLIC_URL="$base"
    if [ -n "$openpsp_url" ]; then export DATABASE_URL="$openpsp_url"; else unset DATABASE_URL; fi
    "$openpsp" create-merchant --pspid "$pspid" --name Bench >/dev/null
    "$openpsp" create-api-key --pspid "$pspid" --name bench >"$data/key.txt"
  )
  keys=$(cat "$data/key.txt")
  export BENCH_API_KEY_ID BENCH_SECRET
  BENCH_API_KEY_ID=$(sed -n 's/^apiKeyId=//p' <<<"$keys")
  BENCH_SECRET=$(sed -n 's/^secretApiKey=//p' <<<"$keys")

  if [ -n "$openpsp_url" ]; then
    start openpsp "$data/openpsp.log" env OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" OPENPSP_TERMINAL_LISTEN=off \
      OPENPSP_METRICS_LISTEN="127.0.0.1:$metrics_port" OPENPSP_PUBLIC_URL="$base" DATABASE_URL="$openpsp_url" "$openpsp" serve
  else
    start openpsp "$data/openpsp.log" env -u DATABASE_URL OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" \
      OPENPSP_TERMINAL_LISTEN=off OPENPSP_METRICS_LISTEN="127.0.0.1:$metrics_port" OPENPSP_PUBLIC_URL="$base" "$openpsp" serve
  fi
  measure "openpsp create-payment $name" signed
  o_rps=$rps o_p50=$p50 o_p99=$p99
  measure_half "openpsp create-payment $name" "$o_rps"
  stop

  start baseline "$data/baseline.log" env DATABASE_URL="$baseline_url" BASELINE_PSPID="$pspid" \
    "$baseline" "127.0.0.1:$port"
  measure "baseline create-payment $name" unsigned
  stop

  awk -v n="$name" -v a="$o_rps" -v b="$rps" -v a50="$o_p50" -v b50="$p50" -v a99="$o_p99" -v b99="$p99" \
    -v bad="$invalid" 'BEGIN { r = (b > 0 ? a / b : 0)
      printf "ratio openpsp/baseline %s: %.2f of the req/s (p50 %.1fx, p99 %.1fx), target >= 0.90: %s%s\n",
      n, r, (b50 > 0 ? a50 / b50 : 0), (b99 > 0 ? a99 / b99 : 0), (r >= 0.9 ? "met" : "NOT met"),
      (bad == 1 ? "  !! NOT valid: a run had errors" : "") }'
}

echo "Create-payment (S2S, v1HMAC, idempotence key), release build, $connections connections," \
  "${seconds}s each after ${warmup}s warm-up, $(nproc) cores"
backends=" ${BENCH_BACKENDS:-sqlite postgres} "
if [[ "$backends" == *" sqlite "* ]]; then
  backend sqlite "" "sqlite://$work/sqlite/baseline.db?mode=rwc"
fi

if [[ "$backends" != *" postgres "* ]]; then
  :
elif PGCONNECT_TIMEOUT=3 psql -qtA "$pg_admin" -c 'SELECT 1' >/dev/null 2>&1; then
  suffix="$$_$(date +%s)"
  databases=("openpsp_bench_$suffix" "openpsp_bench_baseline_$suffix")
  for db in "${databases[@]}"; do psql -q "$pg_admin" -c "CREATE DATABASE $db" >/dev/null; done
  backend postgres "${pg_admin%/*}/${databases[0]}" "${pg_admin%/*}/${databases[1]}"
else
  echo "postgres: skipped, $pg_admin is unreachable (set BENCH_PG_URL, or start PostgreSQL as scripts/test.sh does)"
fi
[ "$status" = 0 ] || echo "!! Some runs had errors (lines marked !!): their figures are not valid."
exit "$status"
