#!/usr/bin/env bash
# Times the rich-text renderer (tickets, comments, knowledge base, status updates) on
# 20,000-character hostile lines: runs of `[`, `*`, `_`, backticks, `<` and link
# openings. The renderer reads Markdown with pulldown-cmark, whose parser is linear in
# its input; this prints how long each line takes in a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -p domain --release --example markdown_times
