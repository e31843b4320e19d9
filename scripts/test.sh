#!/usr/bin/env bash
# Installs what is missing, then runs every check: formatting, lints (native and
# wasm32), unit and integration tests on SQLite and PostgreSQL, the WebAssembly build,
# and the Playwright suite in Debian's Chromium. Prints a summary; exits non-zero on any
# failure.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# cargo-leptos sets this for its builds; setting it for every cargo call lets them share
# one set of compiled crates.
export LEPTOS_OUTPUT_NAME=openpsp
export CARGO_TERM_COLOR=never
# A one-off build gains nothing from incremental state, which would take gigabytes.
export CARGO_INCREMENTAL=0

results=()
failed=0
started=$(date +%s)

step() {
  local name=$1
  shift
  printf '\n\033[1;34m==> %s\033[0m\n' "$name"
  local t0
  t0=$(date +%s)
  if "$@"; then
    results+=("PASS  $name ($(($(date +%s) - t0))s)")
  else
    results+=("FAIL  $name ($(($(date +%s) - t0))s)")
    failed=1
  fi
}

summary() {
  printf '\n\033[1m==== Summary (%ss) ====\033[0m\n' "$(($(date +%s) - started))"
  printf '%s\n' "${results[@]}"
  printf 'build directory: %s\n' "$(du -sh target 2>/dev/null | cut -f1)"
  if [ "$failed" = 0 ]; then echo "ALL PASSED"; else echo "SOME CHECKS FAILED"; fi
}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else sudo -u postgres sh -c "$1"; fi; }

start_postgres() {
  if [ -n "${OPENPSP_TEST_PG_URL:-}" ]; then return 0; fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$version" ]; then
      echo "PostgreSQL is not installed"
      return 1
    fi
    # A cluster that was stopped uncleanly may take minutes to recover: wait for it
    # rather than give up after pg_ctl's default minute.
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start -- -t 300 ||
      echo "pg_ctlcluster did not report a start; waiting for PostgreSQL anyway"
    for _ in $(seq 1 300); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
    if ! pg_isready -q -h 127.0.0.1 -p 5432; then
      echo "PostgreSQL did not start; its log ends with:"
      tail -n 30 /var/log/postgresql/postgresql-"$version"-main.log 2>/dev/null
      return 1
    fi
  fi
  as_postgres "psql -tAc \"SELECT 1 FROM pg_roles WHERE rolname='openpsp'\"" | grep -q 1 ||
    as_postgres "psql -q -c \"CREATE ROLE openpsp LOGIN SUPERUSER PASSWORD 'openpsp'\"" || return 1
  export OPENPSP_TEST_PG_URL="postgres://openpsp:openpsp@127.0.0.1:5432/postgres"
}

# The steps that need PostgreSQL fail with a message when it could not be started.
need_postgres() {
  if [ -z "${OPENPSP_TEST_PG_URL:-}" ]; then
    echo "PostgreSQL is not available (see the 'start PostgreSQL' step)"
    return 1
  fi
}

# Each integration test creates its own database; drop them so repeated runs do not
# fill the disk or slow PostgreSQL's start.
drop_test_databases() {
  need_postgres || return 1
  psql "$OPENPSP_TEST_PG_URL" -tAc "SELECT datname FROM pg_database WHERE datname LIKE 'openpsp\_test\_%'" |
    while read -r db; do
      psql "$OPENPSP_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" || true
    done
}

run_tests() {
  local status=0
  need_postgres || return 1
  drop_test_databases
  if command -v cargo-nextest >/dev/null 2>&1; then
    cargo nextest run --no-fail-fast || status=1
  else
    cargo test --no-fail-fast || status=1
  fi
  drop_test_databases
  return "$status"
}

E2E_PASSWORD="Sunny-Orbit-42!"

run_end_to_end() {
  local data port server_pid status
  data=$(mktemp -d /tmp/openpsp-e2e.XXXXXX)
  port=3217
  export OPENPSP_DATA_DIR="$data" OPENPSP_LISTEN="127.0.0.1:$port" LEPTOS_SITE_ROOT=target/site
  export OPENPSP_PUBLIC_URL="http://127.0.0.1:$port"
  export OPENPSP_DEMO_PASSWORD="$E2E_PASSWORD" OPENPSP_USER_PASSWORD="$E2E_PASSWORD"
  export OPENPSP_LOGIN_RATE_PER_MINUTE=1000
  # The Playwright tests read reset links and sign-in codes from the development mailbox.
  export OPENPSP_DEV_MAILBOX=on
  # The webhooks test's receiver listens on 127.0.0.1.
  export OPENPSP_WEBHOOK_ALLOW_PRIVATE=on
  # Card terminals: the Playwright tests start a simulator against this gateway.
  export OPENPSP_TERMINAL_LISTEN="127.0.0.1:$((port + 10000))"
  export E2E_TERMINALS="$OPENPSP_TERMINAL_LISTEN" OPENPSP_BIN="$PWD/target/debug/openpsp"
  target/debug/openpsp seed-demo >/dev/null || return 1
  target/debug/openpsp create-user --pspid demo --login lockme --role READ_ONLY >/dev/null || return 1
  target/debug/openpsp create-user --pspid demo --login changer --role OPERATOR >/dev/null || return 1
  target/debug/openpsp create-user --pspid demo --login forgetful --role OPERATOR \
    --email forgetful@demo.example >/dev/null || return 1
  # The same PSPID in production: PSPIDs are unique per environment.
  OPENPSP_ADMIN_PASSWORD="$E2E_PASSWORD" target/debug/openpsp create-merchant --pspid demo \
    --environment PRODUCTION --name "Demo Shop" --admin-login owner >/dev/null || return 1
  local keys
  keys=$(target/debug/openpsp create-api-key --pspid demo --name e2e) || return 1
  E2E_API_KEY_ID=$(sed -n 's/^apiKeyId=//p' <<<"$keys")
  E2E_API_SECRET=$(sed -n 's/^secretApiKey=//p' <<<"$keys")
  export E2E_API_KEY_ID E2E_API_SECRET
  target/debug/openpsp serve >"$data/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 60); do
    curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.5
  done
  (cd end2end && BASE_URL="http://127.0.0.1:$port" DEMO_PASSWORD="$E2E_PASSWORD" npx playwright test)
  status=$?
  kill "$server_pid" 2>/dev/null
  wait "$server_pid" 2>/dev/null
  if [ "$status" != 0 ]; then
    echo "--- server log (last 40 lines) ---"
    tail -n 40 "$data/server.log"
  fi
  rm -rf "$data"
  unset OPENPSP_DATA_DIR OPENPSP_LISTEN OPENPSP_DEMO_PASSWORD OPENPSP_USER_PASSWORD OPENPSP_LOGIN_RATE_PER_MINUTE
  unset OPENPSP_DEV_MAILBOX OPENPSP_WEBHOOK_ALLOW_PRIVATE
  unset E2E_API_KEY_ID E2E_API_SECRET OPENPSP_PUBLIC_URL
  unset OPENPSP_TERMINAL_LISTEN E2E_TERMINALS OPENPSP_BIN
  return "$status"
}

run_api_fuzzing() {
  local status=0 db="openpsp_fuzz_$$"
  scripts/fuzz-api.sh target/debug/openpsp || status=1
  need_postgres || return 1
  psql "$OPENPSP_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || return 1
  OPENPSP_FUZZ_DATABASE_URL="${OPENPSP_TEST_PG_URL%/*}/$db" scripts/fuzz-api.sh target/debug/openpsp || status=1
  psql "$OPENPSP_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  return "$status"
}

run_sdk_conformance() {
  local status=0 db="openpsp_sdk_$$"
  scripts/sdk-conformance.sh target/debug/openpsp || status=1
  need_postgres || return 1
  psql "$OPENPSP_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || return 1
  OPENPSP_SDK_DATABASE_URL="${OPENPSP_TEST_PG_URL%/*}/$db" scripts/sdk-conformance.sh target/debug/openpsp || status=1
  psql "$OPENPSP_TEST_PG_URL" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1
  return "$status"
}

step "install missing tools" scripts/setup.sh test
if [ "$failed" != 0 ]; then summary; exit 1; fi
step "start PostgreSQL" start_postgres
step "cargo fmt --check" cargo fmt --all --check
step "cargo clippy (native)" cargo clippy --all-targets -- -D warnings
step "cargo clippy (wasm32 frontend and payer)" cargo clippy -p frontend -p payer --target wasm32-unknown-unknown -- -D warnings
step "unit and integration tests (SQLite and PostgreSQL)" run_tests
step "WebAssembly and server build (cargo leptos build --split)" cargo leptos build --split
step "payer bundle (scripts/build-payer.sh)" scripts/build-payer.sh
step "Direct SDK conformance (Python, Node.js and current Python SDKs, SQLite and PostgreSQL)" run_sdk_conformance
step "API fuzzing (schemathesis against /v2/openapi.json, SQLite and PostgreSQL)" run_api_fuzzing
step "Playwright in Chromium" run_end_to_end
summary
exit "$failed"
