#!/usr/bin/env bash
# Benchmark: kyc-sandbox beside a bare actix-web server (examples/ceiling.rs), pinned to the same core, under
# the same wrk load; prints a Markdown table of medians (also written to target/bench/last.md).
#   bash scripts/bench.sh            # 3 x 5 s per call, about 4 minutes after the build
#   bash scripts/bench.sh --short    # 1 x 1 s per call: proves the benchmark still runs (CI)
# Needs wrk (Debian's `wrk`) and python3; installs wrk when missing and apt-get is at hand.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk >/dev/null
fi

cargo build --release --locked --bin kyc-sandbox --example ceiling
exec python3 scripts/bench.py "$@"
