#!/usr/bin/env bash
# Drives the dashboard (GET /__admin/) in headless Chromium against a freshly started sandbox
# (sdk-tests/dashboard/dashboard.mjs, playwright-core pinned in package.json driving Debian's chromium): one
# KYCAID and one Rebilly flow through the API, a verification approved and a document declined by clicking,
# the webhook listed, live updates, the clock page. Exits non-zero if any step fails.
#
#   bash scripts/sdk-dashboard.sh
#
# Screenshots of every page go to $DASHBOARD_SCREENSHOTS (default target/dashboard-screenshots).
# Idempotent: `npm ci` only when node_modules is missing or older than package-lock.json; `cargo build` is a
# no-op when the binary is up to date. The server listens on a free port, with a frozen clock and seed 7, and is
# always stopped on exit. The whole run is bounded by SDK_DASHBOARD_BUDGET seconds (default 120).
#
# Environment:
#   SDK_DASHBOARD_BUDGET    overall time limit in seconds (default 120)
#   DASHBOARD_SCREENSHOTS   where the screenshots go (default target/dashboard-screenshots)
#   KYC_SANDBOX_BIN         use this binary instead of building target/debug/kyc-sandbox
#   CARGO_TARGET_DIR        where cargo builds (the binary is then $CARGO_TARGET_DIR/debug/kyc-sandbox)
#   CHROMIUM                the Chromium executable (default /usr/bin/chromium)
#   SDK_DASHBOARD_KEEP_LOG  keep the server log (path printed) instead of deleting it
set -euo pipefail
SUITE=dashboard PINNED_PKG=playwright-core
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || {
  echo "[sdk-dashboard] error: no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium, or set CHROMIUM)" >&2
  exit 1
}
source "$(dirname "$0")/lib/sdk-harness.sh"

export SCREENSHOTS=${DASHBOARD_SCREENSHOTS:-$ROOT/target/dashboard-screenshots}
run_node dashboard.mjs 90
log "screenshots in $SCREENSHOTS"
