#!/usr/bin/env bash
# Runs README's walkthrough blocks (the ```sh block after each `<!-- walkthrough:NAME -->`) against a fresh
# sandbox, exactly as written except for the ports, so the quickstart never goes stale. Exits non-zero if a
# block fails (each ends with a grep for its outcome).
#
#   bash scripts/walkthrough.sh            # KYC_SANDBOX_BIN=... to skip the cargo build
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${KYC_SANDBOX_BIN:-}
if [[ -z $BIN ]]; then
  cargo build --locked --quiet --bin kyc-sandbox
  BIN=${CARGO_TARGET_DIR:-target}/debug/kyc-sandbox
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/walkthrough.XXXXXX")
"$BIN" --port 0 >"$WORK/out" 2>"$WORK/err" &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

source scripts/lib/sandbox.sh
sandbox_base_url "$WORK/out" "$PID" >/dev/null || { echo "[walkthrough] the sandbox did not start" >&2; cat "$WORK/err" >&2; exit 1; }
# `name  http://127.0.0.1:PORT   (also http://127.0.0.1:MAIN/name)` and `admin   http://127.0.0.1:MAIN/__admin`
port_of() { sed -n "s|^$1 *http://127.0.0.1:\\([0-9]*\\).*|\\1|p" "$WORK/out"; }
MAIN=$(port_of admin)
[[ -n $MAIN ]] || { echo "[walkthrough] the sandbox did not start" >&2; cat "$WORK/err" >&2; exit 1; }
substitute() {
  sed -e "s|127.0.0.1:4747|127.0.0.1:$MAIN|g" \
      -e "s|127.0.0.1:4748|127.0.0.1:$(port_of rebilly)|g" \
      -e "s|127.0.0.1:4749|127.0.0.1:$(port_of kycaid)|g" \
      -e "s|127.0.0.1:4750|127.0.0.1:$(port_of hermes)|g" \
      -e "s|127.0.0.1:4751|127.0.0.1:$(port_of qolo)|g" \
      -e "s|127.0.0.1:4752|127.0.0.1:$(port_of sumvin)|g"
}

failed=0
for name in $(sed -n 's/^<!-- walkthrough:\([a-z]*\) -->$/\1/p' README.md); do
  awk -v marker="<!-- walkthrough:$name -->" '
    $0 == marker { armed = 1; next }
    armed && /^```sh$/ { inside = 1; next }
    inside && /^```$/ { exit }
    inside { print }
  ' README.md | substitute >"$WORK/$name.sh"
  if out=$(bash -euo pipefail "$WORK/$name.sh" 2>&1) && [[ -n $out ]]; then
    echo "ok   $name: $(tail -n 1 <<<"$out")"
  else
    echo "FAIL $name:"; sed 's/^/     /' <<<"$out"; failed=1
  fi
done
exit "$failed"
