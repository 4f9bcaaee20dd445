# Shared by the scripts/sdk-*.sh suites: a time budget, Node dependencies installed from the suite's lockfile,
# the sandbox binary, and a sandbox started on a free port (frozen clock, seed 7) that is always stopped on exit.
#
# A suite sets, then sources this file:
#   SUITE        short name, for log lines and the temp dir (`rebilly`, `kycaid`)
#   PINNED_PKG   the npm package whose pinned version proves node_modules is current
# and may read from the environment:
#   <SUITE>_BUDGET (SDK_REBILLY_BUDGET, ...)  overall time limit in seconds (default 120)
#   <SUITE>_KEEP_LOG                          keep the server log (path printed) instead of deleting it
#   KYC_SANDBOX_BIN                           use this binary instead of building $CARGO_TARGET_DIR/debug/kyc-sandbox
# Afterwards SANDBOX is the server's base URL; `run_node FILE SECONDS` runs one Node script against it.

cd "$(dirname "$0")/.."
ROOT=$PWD
SDK_DIR=$ROOT/sdk-tests/$SUITE
ENV_PREFIX=SDK_${SUITE^^}
BUDGET_VAR=${ENV_PREFIX}_BUDGET
KEEP_VAR=${ENV_PREFIX}_KEEP_LOG
BUDGET=${!BUDGET_VAR:-120}
START=$SECONDS

log() { printf '[sdk-%s] %s\n' "$SUITE" "$*" >&2; }
die() { log "error: $*"; exit 1; }
# Seconds left in the budget (at least 1, so `timeout` never gets 0 = no limit).
left() { local l=$((BUDGET - (SECONDS - START))); ((l > 0)) || die "time budget of ${BUDGET}s exhausted"; echo "$l"; }
# min(N, seconds left)
cap() { local l; l=$(left); ((l < $1)) && echo "$l" || echo "$1"; }

command -v node >/dev/null || die "node (20 or newer) is required"
command -v npm >/dev/null || die "npm is required"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
((NODE_MAJOR >= 20)) || die "node 20 or newer is required (found $(node --version))"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sdk-$SUITE.XXXXXX")
SERVER_PID=
cleanup() {
  local rc=$?
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if ((rc != 0)) && [[ -s $WORK/server.err ]]; then
    log "server log (last 20 lines):"
    tail -n 20 "$WORK/server.err" >&2 || true
  fi
  if [[ -n ${!KEEP_VAR:-} ]]; then log "server log kept in $WORK"; else rm -rf "$WORK"; fi
  log "finished in $((SECONDS - START))s"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Node dependencies: npm ci when node_modules is missing or was installed from another lockfile.
LOCK_SUM=$(sha256sum "$SDK_DIR/package-lock.json" | cut -d' ' -f1)
STAMP=$SDK_DIR/node_modules/.kyc-sandbox-lock.sha256
PINNED=$(node -p "require('$SDK_DIR/package.json').dependencies['$PINNED_PKG']")
installed() { node -p "try { require('$SDK_DIR/node_modules/$PINNED_PKG/package.json').version } catch { '' }"; }
if [[ ! -f $STAMP || $(cat "$STAMP") != "$LOCK_SUM" || $(installed) != "$PINNED" ]]; then
  log "npm ci in sdk-tests/$SUITE"
  t=$(cap 90)
  (cd "$SDK_DIR" && timeout "$t" npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed"
  [[ $(installed) == "$PINNED" ]] || die "npm ci did not install $PINNED_PKG@$PINNED"
  echo "$LOCK_SUM" >"$STAMP"
fi

# 2. The sandbox binary.
if [[ -n ${KYC_SANDBOX_BIN:-} ]]; then
  BIN=$KYC_SANDBOX_BIN
else
  log "cargo build --locked --bin kyc-sandbox"
  t=$(cap 110)
  if ! timeout "$t" cargo build --locked --bin kyc-sandbox >"$WORK/cargo.log" 2>&1; then
    tail -n 40 "$WORK/cargo.log" >&2
    die "cargo build failed or timed out"
  fi
  TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
  [[ $TARGET_DIR == /* ]] || TARGET_DIR=$ROOT/$TARGET_DIR
  BIN=$TARGET_DIR/debug/kyc-sandbox
fi
[[ -x $BIN ]] || die "no executable at $BIN"

# 3. Start the server on a free port and read its address from stdout.
RUST_LOG=${RUST_LOG:-warn} "$BIN" --port 0 --clock frozen --seed 7 >"$WORK/server.out" 2>"$WORK/server.err" &
SERVER_PID=$!

source "$ROOT/scripts/lib/sandbox.sh"
SANDBOX=$(sandbox_base_url "$WORK/server.out" "$SERVER_PID") ||
  { SERVER_PID=; die "the sandbox exited or printed no 'admin http://…' line within 10 s"; }
log "sandbox at $SANDBOX"

# Runs one Node script of the suite against the sandbox, for at most N seconds of the budget.
run_node() {
  local t rc=0
  t=$(cap "$2")
  SANDBOX=$SANDBOX timeout "$t" node "$SDK_DIR/$1" || rc=$?
  ((rc != 124)) || log "$1 did not finish within ${t}s"
  return "$rc"
}
