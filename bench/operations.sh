#!/usr/bin/env bash
# Back-office figures on a large database: BENCH_ROWS payments (default 1,000,000) of one
# merchant, seeded with SQL straight into a fresh database, then read through the running
# server as the signed-in admin's browser would, on SQLite and on PostgreSQL:
#   - payments list, first page, typical filter (succeeded, created in the last 30 days,
#     newest first) and the capture-date filter (reads the operations table): the cold
#     first call, then p50 and p99 of BENCH_REPEAT calls (nearest rank: with 20, p99 is
#     the slowest);
#   - export (GET /operations/payments/export/{csv,xml,xlsx}) of about BENCH_EXPORT_ROWS
#     rows (default 100,000; a creation-date range picked from the seeded spread, the
#     actual count read from the file): seconds, size, and the server's resident memory
#     before the export and its peak during it (VmRSS sampled every 50 ms), so one sees
#     whether memory stays flat. A format the server does not have yet (404) is reported,
#     not failed;
#   - dashboard, last 30 days.
# The seed is deterministic and the same on both backends: created_at spread evenly over
# the last 365 days (ids in creation order), 80% EUR / 12% USD / 8% GBP, 5.00 to 500.00;
# 64% captured, 2% partly and 2% fully refunded, 10% authorised only, 12% declined ('05'
# Do not honour, '51' Insufficient funds), 4% cancelled, 3% expired, 3% not paid yet; Visa,
# Mastercard, American Express (masked number and last four only: no card number is
# written anywhere), 10% MOTO. Every payment that went to the acquirer has its operations:
# authorise, capture, refund, cancel or expire. PostgreSQL gets VACUUM ANALYZE after the
# load (as autovacuum would); SQLite is left as the server leaves it (no ANALYZE).
#   BENCH_ROWS=1000000 BENCH_REPEAT=20 bench/operations.sh
# Binary: BENCH_BIN, else target/release/openpsp, else target/debug/openpsp (figures of a
# debug build are not representative); BENCH_BUILD=1 builds the release binary first.
# BENCH_BACKENDS="sqlite postgres" picks the backends; BENCH_EXPORT_ROWS, BENCH_PORT (3313)
# and BENCH_TIMEOUT (seconds per request, 900) are the other knobs. PostgreSQL:
# BENCH_PG_URL (default postgres://openpsp:openpsp@127.0.0.1:5432/postgres) must reach a
# role allowed to create databases; when it cannot, PostgreSQL is skipped with a message.
# Needs sqlite3, psql, curl and python3. Exits non-zero when a request failed (other than
# a 404 export format).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH" LEPTOS_OUTPUT_NAME=openpsp

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
dpkg -s sqlite3 >/dev/null 2>&1 || { as_root apt-get update -qq && as_root apt-get install -y -qq sqlite3 >/dev/null; }
dpkg -s curl >/dev/null 2>&1 || as_root apt-get install -y -qq curl >/dev/null
command -v psql >/dev/null 2>&1 || echo "psql not found: PostgreSQL will be skipped" >&2

if [ "${BENCH_BUILD:-0}" = 1 ]; then
  cargo build --release -p server --bin openpsp
fi
if [ -n "${BENCH_BIN:-}" ]; then
  openpsp=$BENCH_BIN
elif [ -x target/release/openpsp ]; then
  openpsp=target/release/openpsp
else
  openpsp=target/debug/openpsp
fi
[ -x "$openpsp" ] || { echo "no binary at $openpsp (BENCH_BUILD=1 builds target/release/openpsp)" >&2; exit 1; }

rows=${BENCH_ROWS:-1000000}
export_rows=${BENCH_EXPORT_ROWS:-100000}
repeat=${BENCH_REPEAT:-20}
port=${BENCH_PORT:-3313}
max_time=${BENCH_TIMEOUT:-900}
backends=${BENCH_BACKENDS:-sqlite postgres}
pg_admin=${BENCH_PG_URL:-postgres://openpsp:openpsp@127.0.0.1:5432/postgres}
pspid=bench
zone=Europe/Paris
password='Sunny-Orbit-42!'
base="http://127.0.0.1:$port"
export RUST_LOG=warn OPENPSP_LOG=warn OPENPSP_TERMINAL_LISTEN=off
[ "$export_rows" -le "$rows" ] || export_rows=$rows

work=$(mktemp -d /tmp/openpsp-bench-operations.XXXXXX)
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

# The dates the filters use, in the users' zone (the merchant is created with it).
today=$(TZ=$zone date +%F)
month_ago=$(TZ=$zone date -d "$today -29 days" +%F)
# The seed spreads the rows evenly over 365 days ending now: the export's range holds
# about export_rows of them (all of them when that needs the whole year).
export_days=$(((export_rows * 365 + rows - 1) / rows))
if [ "$export_days" -ge 365 ]; then
  export_query=""
else
  export_query="from=$(TZ=$zone date -d "$today -$((export_days - 1)) days" +%F)&to=$today"
fi

# ---- seeding -------------------------------------------------------------------------

# SQL spelled per dialect ($dialect: sqlite or postgres).
ts() { # epoch-seconds expression → a timestamp as the server stores it
  if [ "$dialect" = sqlite ]; then
    # sea-orm on SQLite writes RFC 3339 text with nanoseconds: 2026-11-22T13:10:40.823101513+00:00
    printf "(strftime('%%Y-%%m-%%dT%%H:%%M:%%S', %s, 'unixepoch') || '.' || printf('%%09d', ns) || '+00:00')" "$1"
  else
    printf "to_timestamp((%s) + ns / 1000000000.0)" "$1"
  fi
}
pad() { # expression, width → zero-padded text
  if [ "$dialect" = sqlite ]; then printf "printf('%%0%dd', %s)" "$2" "$1"; else printf "lpad((%s)::text, %d, '0')" "$1" "$2"; fi
}
txt() { if [ "$dialect" = sqlite ]; then printf "(%s)" "$1"; else printf "(%s)::text" "$1"; fi; }

# SQL for the whole seed of merchant $1 (no transaction around it).
seed_sql() {
  local mid=$1 now first span
  now=$(date +%s)
  span=$((365 * 86400))
  first=$((now - span))
  # Columns of the seed: n (id), t (creation, epoch s), ns (its nanoseconds), d (stage die,
  # 0..999), e (currency and channel die, 0..999), g (brand die, 0..99), amount (minor units).
  # Multiplicative hashes of n keep it deterministic and identical on both backends.
  local cols="n, $first + (n - 1) * $span / $rows AS t, (n * 7919) % 1000000000 AS ns,
    ((n * 2654435761) % 4294967296) / 4096 % 1000 AS d,
    ((n * 2246822519) % 4294967296) / 4096 % 1000 AS e,
    ((n * 3266489917) % 4294967296) / 4096 % 100 AS g,
    500 + ((n * 668265263) % 4294967296) / 4096 % 49501 AS amount"
  if [ "$dialect" = sqlite ]; then
    echo "CREATE TEMP TABLE seed AS WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $rows)
      SELECT $cols FROM s;"
  else
    echo "CREATE TEMP TABLE seed AS SELECT $cols FROM generate_series(1::bigint, $rows) AS n;"
  fi
  local approved="(d < 780 OR (d >= 900 AND d < 940))" declined="(d >= 780 AND d < 900)"
  local last4
  last4=$(pad "((n * 40503) % 65536) % 10000" 4)
  cat <<SQL
INSERT INTO payments (id, merchant_id, channel, merchant_reference, merchant_customer_id,
  description, currency, amount, authorised, captured, refunded, stage, capture_closed,
  authorization_mode, payment_product_id, brand, masked_card, card_last4, card_expiry,
  card_holder, pending_card_enc, token_id, eci, authorisation_code, rrn, terminal_id,
  refusal_code, refusal_reason, attempts, return_url, hosted_checkout_id, customer_email,
  customer_ip, locale, capture_after, created_at, updated_at)
SELECT n, $mid,
  CASE WHEN e % 10 = 0 THEN 'MOTO' ELSE 'ECOMMERCE' END,
  'ORD-' || $(txt n),
  'CUST-' || $(txt "n % 50021"),
  '',
  CASE WHEN e < 800 THEN 'EUR' WHEN e < 920 THEN 'USD' ELSE 'GBP' END,
  amount,
  CASE WHEN $approved THEN amount ELSE 0 END,
  CASE WHEN d < 680 THEN amount ELSE 0 END,
  CASE WHEN d < 640 THEN 0 WHEN d < 660 THEN amount / 2 WHEN d < 680 THEN amount ELSE 0 END,
  CASE WHEN d < 780 THEN 'authorised' WHEN d < 900 THEN 'rejected' WHEN d < 940 THEN 'cancelled'
    WHEN d < 970 THEN 'expired' WHEN d < 985 THEN 'created' ELSE 'redirected' END,
  d < 680,
  CASE WHEN d >= 680 AND d < 780 THEN 'FINAL_AUTHORIZATION' ELSE 'SALE' END,
  CASE WHEN g < 55 THEN 1 WHEN g < 90 THEN 3 ELSE 2 END,
  CASE WHEN g < 55 THEN 'Visa' WHEN g < 90 THEN 'Mastercard' ELSE 'American Express' END,
  CASE WHEN g < 55 THEN '411111******' WHEN g < 90 THEN '555555******' ELSE '378282*****' END || $last4,
  $last4,
  $(pad "1 + n % 12" 2) || '29',
  'Bench Payer',
  NULL, NULL,
  CASE WHEN $approved THEN '05' END,
  CASE WHEN $approved THEN $(pad "n % 1000000" 6) END,
  CASE WHEN d < 940 THEN $(pad n 12) END,
  CASE WHEN $approved THEN 'BENCH001' END,
  CASE WHEN $declined THEN CASE WHEN d < 850 THEN '05' ELSE '51' END END,
  CASE WHEN $declined THEN CASE WHEN d < 850 THEN 'Do not honour' ELSE 'Insufficient funds' END END,
  CASE WHEN d < 940 THEN 1 ELSE 0 END,
  NULL, NULL,
  'buyer' || $(txt "n % 20011") || '@example.com',
  '192.0.2.' || $(txt "1 + n % 250"),
  'en_GB', NULL,
  $(ts t),
  $(ts "t + CASE WHEN d < 640 THEN 2 WHEN d < 680 THEN 3600 WHEN d < 900 THEN 1
    WHEN d < 940 THEN 600 WHEN d < 970 THEN 1800 ELSE 0 END")
FROM seed ORDER BY n;
INSERT INTO operations (payment_id, kind, amount, result, is_final, refusal_code, refusal_reason,
  authorisation_code, rrn, terminal_id, eci, user_id, api_key_id, reference, created_at)
SELECT n, 'authorise', amount, CASE WHEN $declined THEN 'declined' ELSE 'approved' END, FALSE,
  CASE WHEN $declined THEN CASE WHEN d < 850 THEN '05' ELSE '51' END END,
  CASE WHEN $declined THEN CASE WHEN d < 850 THEN 'Do not honour' ELSE 'Insufficient funds' END END,
  CASE WHEN $approved THEN $(pad "n % 1000000" 6) END, $(pad n 12),
  CASE WHEN $approved THEN 'BENCH001' END, CASE WHEN $approved THEN '05' END,
  NULL, NULL, NULL, $(ts "t + 1")
FROM seed WHERE d < 940 ORDER BY n;
INSERT INTO operations (payment_id, kind, amount, result, is_final, rrn, created_at)
SELECT n, 'capture', amount, 'approved', TRUE, 'C' || $(pad n 11), $(ts "t + 2")
FROM seed WHERE d < 680 ORDER BY n;
INSERT INTO operations (payment_id, kind, amount, result, is_final, rrn, created_at)
SELECT n, 'refund', CASE WHEN d < 660 THEN amount / 2 ELSE amount END, 'approved', FALSE,
  'R' || $(pad n 11), $(ts "t + 3600")
FROM seed WHERE d >= 640 AND d < 680 ORDER BY n;
INSERT INTO operations (payment_id, kind, amount, result, is_final, created_at)
SELECT n, 'cancel', amount, 'approved', TRUE, $(ts "t + 600")
FROM seed WHERE d >= 900 AND d < 940 ORDER BY n;
INSERT INTO operations (payment_id, kind, amount, result, is_final, created_at)
SELECT n, 'expire', amount, 'approved', TRUE, $(ts "t + 1800")
FROM seed WHERE d >= 940 AND d < 970 ORDER BY n;
DROP TABLE seed;
SQL
}

# Runs SQL from stdin on the backend's database; query output on stdout.
db_sql() {
  if [ "$dialect" = sqlite ]; then
    sqlite3 -bail -batch "$data/openpsp.db"
  else
    psql -qtAX -v ON_ERROR_STOP=1 "$db_url"
  fi
}

# Seeds the database; sets seeded_payments, seeded_operations, seed_seconds.
seed() {
  local mid t0 t1
  mid=$(echo "SELECT id FROM merchants WHERE pspid = '$pspid';" | db_sql)
  [ -n "$mid" ] || { echo "merchant $pspid not found after create-merchant" >&2; exit 1; }
  t0=$(date +%s.%N)
  if [ "$dialect" = sqlite ]; then
    { echo "PRAGMA synchronous = OFF; PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;"
      echo "BEGIN;"; seed_sql "$mid"; echo "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);"; } | db_sql >/dev/null
  else
    { echo "SET synchronous_commit = off; BEGIN;"; seed_sql "$mid"
      echo "SELECT setval('payments_id_seq', (SELECT max(id) FROM payments)); COMMIT;"
      echo "VACUUM ANALYZE payments; VACUUM ANALYZE operations;"; } | db_sql >/dev/null
  fi
  t1=$(date +%s.%N)
  seed_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
  seeded_payments=$(echo "SELECT count(*) FROM payments;" | db_sql)
  seeded_operations=$(echo "SELECT count(*) FROM operations;" | db_sql)
}

# ---- server --------------------------------------------------------------------------

start() { # log file: starts the server in the background, waits for /healthz
  local log=$1
  if [ "$dialect" = sqlite ]; then
    env -u DATABASE_URL OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" OPENPSP_TERMINAL_LISTEN=off \
      OPENPSP_PUBLIC_URL="$base" "$openpsp" serve >"$log" 2>&1 &
  else
    env DATABASE_URL="$db_url" OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" OPENPSP_TERMINAL_LISTEN=off \
      OPENPSP_PUBLIC_URL="$base" "$openpsp" serve >"$log" 2>&1 &
  fi
  server=$!
  for _ in $(seq 1 300); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$server" 2>/dev/null || break
    sleep 0.1
  done
  echo "openpsp did not start; last lines of its log:" >&2
  tail -20 "$log" >&2
  exit 1
}

stop() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

login() { # sets cookie
  cookie=$(curl -sS -D - -o /dev/null -H 'accept: application/json' \
    --data-urlencode mode=user --data-urlencode env=test --data-urlencode "pspid=$pspid" \
    --data-urlencode user_id=admin --data-urlencode "password=$password" "$base/api/login" |
    tr -d '\r' | sed -n 's/^[Ss]et-[Cc]ookie: \(openpsp_session=[^;]*\).*/\1/p')
  [ -n "$cookie" ] || { echo "$name: login as admin failed" >&2; exit 1; }
}

rss_kb() { # pid → VmRSS in kB
  local k v _
  while read -r k v _; do [ "$k" = VmRSS: ] && { echo "$v"; return; }; done </proc/"$1"/status
  echo 0
}

sample_peak() { # pid, flag file, out file: highest VmRSS while the flag file exists
  local pid=$1 flag=$2 out=$3 max=0 k v _
  while [ -e "$flag" ]; do
    while read -r k v _; do
      if [ "$k" = VmRSS: ]; then
        if [ "$v" -gt "$max" ]; then max=$v; fi
        break
      fi
    done </proc/"$pid"/status
    sleep 0.05
  done
  echo "$max" >"$out"
}

mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

status=0
fail() { echo "  !! $*"; status=1; }

# One server-function call; sets code, seconds (time_total), body in $work/body.
call() { # endpoint, form
  local out
  out=$(curl -sS -o "$work/body" -w '%{http_code} %{time_total}' --max-time "$max_time" \
    -H 'accept: application/json' -H "Cookie: $cookie" --data "$2" "$base/api/$1") || out="000 0"
  read -r code seconds <<<"$out"
}

# label, endpoint, form, check (payments|dashboard): a cold call, then $repeat timed ones.
measure() {
  local label=$1 endpoint=$2 form=$3 check=$4 cold times=() i sorted p50 p99 what
  call "$endpoint" "$form"
  cold=$seconds
  if [ "$code" != 200 ]; then
    fail "$label: HTTP $code: $(head -c 300 "$work/body")"
    return
  fi
  what=$(python3 - "$check" "$work/body" <<'PY'
import json, sys
kind, path = sys.argv[1], sys.argv[2]
body = json.load(open(path))
if kind == "payments":
    ok = body["total"] > 0 and len(body["rows"]) > 0
    print(("" if ok else "EMPTY ") + f"{body['total']} match, {len(body['rows'])} on the page")
else:
    ok = len(body["days"]) == 30 and body["totals"]["all"] > 0
    print(("" if ok else "EMPTY ") + f"{len(body['days'])} days, {body['totals']['all']} {body['currency']} payments")
PY
  ) || what="EMPTY unreadable answer: $(head -c 200 "$work/body")"
  case $what in EMPTY*) fail "$label: no rows in the answer ($what)" ;; esac
  for i in $(seq 1 "$repeat"); do
    call "$endpoint" "$form"
    if [ "$code" != 200 ]; then
      fail "$label: call $i: HTTP $code: $(head -c 300 "$work/body")"
      return
    fi
    times+=("$seconds")
  done
  sorted=$(printf '%s\n' "${times[@]}" | sort -g)
  p50=$(awk -v n="$repeat" 'BEGIN { r = int((n * 50 + 99) / 100) } NR == r { printf "%.1f", $1 * 1000 }' <<<"$sorted")
  p99=$(awk -v n="$repeat" 'BEGIN { r = int((n * 99 + 99) / 100) } NR == r { printf "%.1f", $1 * 1000 }' <<<"$sorted")
  printf '  %-44s %9.1f %9s %9s   %s\n' "$label" "$(awk -v s="$cold" 'BEGIN { print s * 1000 }')" \
    "$p50" "$p99" "$what"
}

# format: one export with the server's memory sampled during it.
export_one() {
  local format=$1 out="$work/export.$format" flag="$work/sampling" before peak code secs bytes count
  before=$(rss_kb "$server")
  touch "$flag"
  sample_peak "$server" "$flag" "$work/peak" &
  local sampler=$!
  read -r code secs bytes < <(curl -sS -o "$out" -w '%{http_code} %{time_total} %{size_download}\n' \
    --max-time "$max_time" -H "Cookie: $cookie" \
    "$base/operations/payments/export/$format${export_query:+?$export_query}" || echo "000 0 0")
  rm -f "$flag"
  wait "$sampler" || true
  peak=$(cat "$work/peak")
  if [ "$code" = 404 ]; then
    printf '  %-6s not available (404)\n' "$format"
    return
  fi
  if [ "$code" != 200 ]; then
    fail "export $format: HTTP $code: $(head -c 300 "$out")"
    return
  fi
  case $format in
    csv) count=$(($(wc -l <"$out") - 1)) ;;
    xml) count=$(grep -c '<payment>' "$out" || true) ;;
    xlsx) count=$(python3 -c 'import re, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
sheet = next(n for n in z.namelist() if n.startswith("xl/worksheets/"))
print(len(re.findall(rb"<row[ >]", z.read(sheet))) - 1)' "$out" 2>/dev/null || echo "?") ;;
    *) count="?" ;;
  esac
  printf '  %-6s %9s %9.1f %9.2f %12s %12s\n' "$format" "$count" "$(mb $((bytes / 1024)))" "$secs" \
    "$(mb "$before")" "$(mb "$peak")"
}

backend() { # name (sqlite|postgres), database URL (empty for SQLite)
  name=$1 dialect=$1 db_url=$2
  data="$work/$name"
  mkdir -p "$data"
  if [ "$dialect" = sqlite ]; then
    env -u DATABASE_URL OPENPSP_DATA_DIR="$data" OPENPSP_ADMIN_PASSWORD="$password" \
      "$openpsp" create-merchant --pspid "$pspid" --name Bench --time-zone "$zone" --admin-login admin >/dev/null
  else
    env DATABASE_URL="$db_url" OPENPSP_DATA_DIR="$data" OPENPSP_ADMIN_PASSWORD="$password" \
      "$openpsp" create-merchant --pspid "$pspid" --name Bench --time-zone "$zone" --admin-login admin >/dev/null
  fi
  seed
  echo
  echo "$name: $seeded_payments payments, $seeded_operations operations (seeded in ${seed_seconds}s)"
  start "$data/openpsp.log"
  login
  printf '  %-44s %9s %9s %9s   %s\n' "request (ms)" cold p50 p99 "answer"
  measure "list: succeeded, created in the last 30 days" ops/payments \
    "filter[statuses][0]=succeeded&filter[from]=$month_ago&filter[to]=$today&filter[sort]=created&filter[desc]=true&filter[page]=1" payments
  measure "list: captured in the last 30 days" ops/payments \
    "filter[date_kind]=captured&filter[from]=$month_ago&filter[to]=$today&filter[sort]=created&filter[desc]=true&filter[page]=1" payments
  measure "dashboard: last 30 days" ops/dashboard "query[period]=30d" dashboard
  printf '  %-6s %9s %9s %9s %12s %12s   (%s)\n' export rows MB seconds "RSS before" "RSS peak" \
    "${export_query:-every payment}"
  for format in csv xml xlsx; do export_one "$format"; done
  stop
}

echo "Back-office on $rows payments: $openpsp ($(date -r "$openpsp" '+%F %T')), $(nproc) cores," \
  "list and dashboard: cold call then p50/p99 of $repeat, exports of ~$export_rows rows;" \
  "last 30 days: $month_ago..$today in $zone"
for b in $backends; do
  case $b in
    sqlite) backend sqlite "" ;;
    postgres)
      if PGCONNECT_TIMEOUT=3 psql -qtA "$pg_admin" -c 'SELECT 1' >/dev/null 2>&1; then
        db="openpsp_bench_ops_$$"
        databases+=("$db")
        psql -q "$pg_admin" -c "CREATE DATABASE $db" >/dev/null
        backend postgres "${pg_admin%/*}/$db"
      else
        echo
        echo "postgres: skipped, $pg_admin is unreachable (set BENCH_PG_URL, or start PostgreSQL as scripts/test.sh does)"
      fi
      ;;
    *) echo "unknown backend $b (BENCH_BACKENDS: sqlite postgres)" >&2; exit 1 ;;
  esac
done
[ "$status" = 0 ] || echo "!! Some requests failed (lines marked !!)."
exit "$status"
