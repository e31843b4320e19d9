#!/usr/bin/env bash
# Builds and serves OpenPSP on http://127.0.0.1:3000 with SQLite under ./data, the
# demo merchant seeded and mail kept in the outbox (see /dev/mailbox).
#   OPENPSP_PROFILE=debug scripts/run.sh   for a faster, unoptimised build
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export LEPTOS_OUTPUT_NAME=openpsp

profile="${OPENPSP_PROFILE:-release}"
if [ "$profile" = release ]; then
  scripts/setup.sh release
  # --precompress writes .br and .gz beside the browser's code; they are sent as they are.
  cargo leptos build --release --precompress --split
  bin=target/release/openpsp
  scripts/build-payer.sh
else
  scripts/setup.sh run
  cargo leptos build --split
  bin=target/debug/openpsp
  scripts/build-payer.sh
fi

export LEPTOS_SITE_ROOT=target/site
export OPENPSP_DATA_DIR="${OPENPSP_DATA_DIR:-./data}"
# The laptop demo reads its mail at /dev/mailbox; deployments leave this off.
export OPENPSP_DEV_MAILBOX="${OPENPSP_DEV_MAILBOX:-on}"
# Webhooks to a receiver on this machine (127.0.0.1, the local network); deployments
# leave this off so endpoints reach public addresses only.
export OPENPSP_WEBHOOK_ALLOW_PRIVATE="${OPENPSP_WEBHOOK_ALLOW_PRIVATE:-on}"
"$bin" seed-demo
echo "Open http://${OPENPSP_LISTEN:-127.0.0.1:3000}/ — log in with PSPID demo and the admin password above."
exec "$bin" serve
