#!/usr/bin/env bash
# Benchmark: kyc-sandbox beside WireMock, Prism and json-server (what users would otherwise pick), each pinned to
# core 0 under the same wrk load on core 1 as scripts/bench.sh, alternating with the bare actix-web ceiling in the
# same run; prints a Markdown table (also written to target/bench/competitors.md).
#   bash scripts/bench-competitors.sh           # per server: cold run, 10 s warm-up, 3 x 5 s; about 5 minutes
#   bash scripts/bench-competitors.sh --short   # 1 x 1 s per server: proves the benchmark still runs
#   bash scripts/bench-competitors.sh --build   # rebuild the release binaries first (else built only when missing)
# Other flags go to scripts/bench_competitors.py (--help). The tools are installed once, at the exact versions of
# bench/competitors/package.json and its lockfile, into bench/competitors/node_modules (npm ci). Needs node and
# npm, a Java runtime for WireMock, wrk and python3; installs wrk and a headless JRE when missing and apt-get is at
# hand.
set -euo pipefail
cd "$(dirname "$0")/.."

build=0
args=()
for arg in "$@"; do
  if [ "$arg" = --build ]; then build=1; else args+=("$arg"); fi
done

missing=()
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
for tool in node npm; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool is missing (Debian: apt-get install nodejs npm)" >&2; exit 1; }
done

competitors=bench/competitors
if [ ! -f "$competitors/node_modules/.package-lock.json" ] \
  || [ "$competitors/package-lock.json" -nt "$competitors/node_modules/.package-lock.json" ] \
  || [ "$competitors/package.json" -nt "$competitors/node_modules/.package-lock.json" ]; then
  (cd "$competitors" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ "$build" = 1 ]; then
  cargo build --release --locked --bin kyc-sandbox --example ceiling
else
  [ -x target/release/examples/ceiling ] || cargo build --release --locked --example ceiling
  [ -x target/release/kyc-sandbox ] || cargo build --release --locked --bin kyc-sandbox
fi
exec python3 scripts/bench_competitors.py ${args[@]+"${args[@]}"}
