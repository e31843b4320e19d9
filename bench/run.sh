#!/usr/bin/env bash
# Load figures for the release build, measured with wrk (Debian) on loopback:
# requests/second and p99 latency of the login page SSR, a signed-in Home page and the
# login POST (argon2id-bound by design). One line per figure. Not part of the tests.
# Then bench/create_payment.sh: the S2S create-payment against its raw-SQL baseline, on
# SQLite and PostgreSQL (BENCH_CREATE_PAYMENT=0 leaves it out).
#   BENCH_SECONDS=10 BENCH_CONNECTIONS=16 bench/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=openpsp

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
dpkg -s wrk >/dev/null 2>&1 || { as_root apt-get update -qq && as_root apt-get install -y -qq wrk >/dev/null; }
dpkg -s curl >/dev/null 2>&1 || as_root apt-get install -y -qq curl >/dev/null
scripts/setup.sh release >/dev/null
cargo leptos build --release --split >/dev/null 2>&1

seconds=${BENCH_SECONDS:-10}
connections=${BENCH_CONNECTIONS:-16}
password='Bench-Mark-Pass-9!'
data=$(mktemp -d /tmp/openpsp-bench.XXXXXX)
port=3311
base="http://127.0.0.1:$port"
export OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site
export OPENPSP_DEMO_PASSWORD="$password" OPENPSP_LOGIN_RATE_PER_MINUTE=100000000 OPENPSP_LOG=warn
export OPENPSP_TERMINAL_LISTEN=off
target/release/openpsp seed-demo >/dev/null
target/release/openpsp serve >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 60); do curl -fsS "$base/healthz" >/dev/null 2>&1 && break; sleep 0.5; done

cookie=$(curl -fsS -D - -o /dev/null -H 'accept: application/json' \
  --data-urlencode mode=user --data-urlencode env=test --data-urlencode pspid=demo \
  --data-urlencode user_id=admin --data-urlencode "password=$password" "$base/api/login" |
  tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(openpsp_session=[^;]*\).*/\1/p')
[ -n "$cookie" ] || { echo "login for the benchmark failed" >&2; exit 1; }

figure() {
  local name=$1
  shift
  local out rps p99
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@")
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  printf '%-28s %10s req/s   p99 %s\n' "$name" "$rps" "$p99"
}

echo "OpenPSP release build, $connections connections, ${seconds}s each, $(nproc) cores"
figure "login page SSR" "$base/login"
figure "home page (signed in)" -H "Cookie: $cookie" "$base/"
BENCH_PASSWORD_URLENCODED=$(python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1]))' "$password") \
  figure "login POST" -s bench/login.lua "$base/api/login"

if [ "${BENCH_CREATE_PAYMENT:-1}" != 0 ]; then
  kill $server 2>/dev/null || true
  wait $server 2>/dev/null || true
  echo
  bench/create_payment.sh
fi
