#!/usr/bin/env bash
# Instructions per request, the sandbox's calls beside the bare actix-web ceiling, each under callgrind: a figure
# that does not move with the machine's load, for comparing two builds; prints a Markdown table (also written to
# target/bench/instructions.md).
#   bash scripts/bench-instructions.sh                 # every call, 3 s of wrk each; about 3 minutes
#   bash scripts/bench-instructions.sh --calls 0,7     # only rows 0 and 7 of scripts/bench.sh's table
# Needs valgrind, wrk and python3; installs valgrind and wrk when missing and apt-get is at hand.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

cargo build --release --locked --bin kyc-sandbox --example ceiling
exec python3 scripts/bench_instructions.py "$@"
