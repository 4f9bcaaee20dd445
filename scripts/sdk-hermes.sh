#!/usr/bin/env bash
# Uses the Hermes login page (the sandbox stand-in for the ZealID QR login) in headless Chromium against a
# freshly started sandbox (sdk-tests/hermes/login.mjs, playwright-core pinned in package.json driving Debian's
# chromium). Exits non-zero if any step fails.
#
#   bash scripts/sdk-hermes.sh
#
# Idempotent: `npm ci` only when node_modules is missing or older than package-lock.json; `cargo build` is a
# no-op when the binary is up to date. The server listens on a free port, with a frozen clock and seed 7, and is
# always stopped on exit. The whole run is bounded by SDK_HERMES_BUDGET seconds (default 120).
#
# Environment:
#   SDK_HERMES_BUDGET    overall time limit in seconds (default 120)
#   KYC_SANDBOX_BIN      use this binary instead of building target/debug/kyc-sandbox
#   CARGO_TARGET_DIR     where cargo builds (the binary is then $CARGO_TARGET_DIR/debug/kyc-sandbox)
#   CHROMIUM             the Chromium executable (default /usr/bin/chromium)
#   SDK_HERMES_KEEP_LOG  keep the server log (path printed) instead of deleting it
set -euo pipefail
SUITE=hermes PINNED_PKG=playwright-core
[[ -x ${CHROMIUM:-/usr/bin/chromium} ]] || {
  echo "[sdk-hermes] error: no Chromium at ${CHROMIUM:-/usr/bin/chromium} (apt-get install chromium, or set CHROMIUM)" >&2
  exit 1
}
source "$(dirname "$0")/lib/sdk-harness.sh"

# The login page, used in headless Chromium.
run_node login.mjs 90
