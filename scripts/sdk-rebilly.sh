#!/usr/bin/env bash
# Drives the official rebilly-js-sdk (sdk-tests/rebilly, pinned in package.json) against a freshly started
# sandbox, through every KYC call the SDK has, then completes the KYC gatherer page in headless Chromium
# (sdk-tests/rebilly/gatherer.mjs). Exits non-zero if any step fails.
#
#   bash scripts/sdk-rebilly.sh
#
# Idempotent: `npm ci` only when node_modules is missing or older than package-lock.json; `cargo build` is a
# no-op when the binary is up to date. The server listens on a free port, with a frozen clock and seed 7, and is
# always stopped on exit. The whole run is bounded by SDK_REBILLY_BUDGET seconds (default 120).
#
# Environment:
#   SDK_REBILLY_BUDGET   overall time limit in seconds (default 120)
#   KYC_SANDBOX_BIN      use this binary instead of building target/debug/kyc-sandbox
#   CARGO_TARGET_DIR     where cargo builds (the binary is then $CARGO_TARGET_DIR/debug/kyc-sandbox)
#   SDK_REBILLY_KEEP_LOG keep the server log (path printed) instead of deleting it
set -euo pipefail
SUITE=rebilly PINNED_PKG=rebilly-js-sdk
source "$(dirname "$0")/lib/sdk-harness.sh"

# The SDK run, then the KYC gatherer page in headless Chromium (playwright-core drives Debian's chromium).
run_node run.mjs 120
run_node gatherer.mjs 90
