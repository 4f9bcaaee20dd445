#!/usr/bin/env bash
# Fuzzes a freshly started sandbox: schemathesis against the Rebilly and Sumvin OpenAPI specs
# (tests/specs/), then fuzz/kycaid_fuzz.py against KYCAID and ZealID Hermes (no spec). Fails on server errors (5xx),
# hung requests (client timeout), dropped connections, panics or a dead server, and on KYCAID error
# bodies that are not its envelope or creates that do not read back, and on Hermes errors outside its
# envelope or valid signed logins that do not succeed. Schema-conformance mismatches
# that schemathesis finds are reported, grouped, but do not fail the run.
#
#   bash scripts/fuzz.sh                  # FUZZ_MODE=short: seeded, deterministic, a few minutes at most
#   FUZZ_MODE=long bash scripts/fuzz.sh   # many more examples; a random seed unless FUZZ_SEED is set
#
# Idempotent: the Python venv (fuzz/.venv) is created once and `pip install -r fuzz/requirements.txt`
# runs only when that file changed. The server listens on a free port with a frozen clock and
# `--seed 7`, and is always stopped on exit. Reports (schemathesis ndjson/json, the KYCAID findings, the
# server log) are left in FUZZ_OUT (default fuzz/out/, overwritten by each run).
#
# Environment:
#   FUZZ_MODE            short (default) or long
#   FUZZ_SEED            generator seed (short: 7; long: random, printed)
#   FUZZ_EXAMPLES        schemathesis examples per operation (short: 10; long: 100)
#   FUZZ_KYCAID_REQUESTS request budget of the KYCAID fuzzer (short: 3000; long: 200000)
#   FUZZ_KYCAID_SECONDS  time budget of the KYCAID fuzzer (short: 60; long: 600)
#   FUZZ_HERMES_REQUESTS request budget of the Hermes fuzzer (short: 1500; long: 100000)
#   FUZZ_HERMES_SECONDS  time budget of the Hermes fuzzer (short: 30; long: 300)
#   FUZZ_QOLO_REQUESTS   request budget of the Qolo fuzzer (short: 3000; long: 100000)
#   FUZZ_QOLO_SECONDS    time budget of the Qolo fuzzer (short: 20; long: 300)
#   FUZZ_TIMEOUT         client timeout per request, seconds (default 5); a timeout is a failure
#   FUZZ_WORKERS         schemathesis workers (default 1, to keep the load light)
#   FUZZ_OUT             where reports go (default fuzz/out)
#   KYC_SANDBOX_BIN      use this binary instead of building $CARGO_TARGET_DIR/debug/kyc-sandbox
#   CARGO_TARGET_DIR     where cargo builds (the binary is then $CARGO_TARGET_DIR/debug/kyc-sandbox)
#   PYTHON               the Python (3.9+) the venv is made from (default python3)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
source "$ROOT/scripts/lib/sandbox.sh"
START=$SECONDS

log() { printf '[fuzz] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 2; }

MODE=${FUZZ_MODE:-short}
case $MODE in
  short)
    SEED=${FUZZ_SEED:-7}
    EXAMPLES=${FUZZ_EXAMPLES:-10}
    KYCAID_REQUESTS=${FUZZ_KYCAID_REQUESTS:-3000}
    KYCAID_SECONDS=${FUZZ_KYCAID_SECONDS:-60}
    HERMES_REQUESTS=${FUZZ_HERMES_REQUESTS:-1500}
    HERMES_SECONDS=${FUZZ_HERMES_SECONDS:-30}
    QOLO_REQUESTS=${FUZZ_QOLO_REQUESTS:-3000}
    QOLO_SECONDS=${FUZZ_QOLO_SECONDS:-20}
    ST_LIMIT=150 # seconds one schemathesis run may take before it counts as hung
    ;;
  long)
    SEED=${FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}
    EXAMPLES=${FUZZ_EXAMPLES:-100}
    KYCAID_REQUESTS=${FUZZ_KYCAID_REQUESTS:-200000}
    KYCAID_SECONDS=${FUZZ_KYCAID_SECONDS:-600}
    HERMES_REQUESTS=${FUZZ_HERMES_REQUESTS:-100000}
    HERMES_SECONDS=${FUZZ_HERMES_SECONDS:-300}
    QOLO_REQUESTS=${FUZZ_QOLO_REQUESTS:-100000}
    QOLO_SECONDS=${FUZZ_QOLO_SECONDS:-300}
    ST_LIMIT=3600
    ;;
  *) die "FUZZ_MODE must be short or long (got '$MODE')" ;;
esac
TIMEOUT=${FUZZ_TIMEOUT:-5}
WORKERS=${FUZZ_WORKERS:-1}
OUT=${FUZZ_OUT:-$ROOT/fuzz/out}
[[ $OUT == /* ]] || OUT=$ROOT/$OUT
log "mode $MODE, seed $SEED, $EXAMPLES examples per operation, KYCAID $KYCAID_REQUESTS requests / ${KYCAID_SECONDS}s, Hermes $HERMES_REQUESTS / ${HERMES_SECONDS}s, Qolo $QOLO_REQUESTS / ${QOLO_SECONDS}s"

mkdir -p "$OUT"
# Only what an earlier run left (FUZZ_OUT may name a directory that holds other things too).
rm -rf "$OUT"/st-* "$OUT/kycaid" "$OUT/hermes" "$OUT/qolo" "$OUT"/server.{log,out} "$OUT/cargo.log"
SERVER_PID=
cleanup() {
  local rc=$?
  stop_server
  log "finished in $((SECONDS - START))s; reports in ${OUT#"$ROOT"/}"
  exit "$rc"
}
stop_server() {
  if [[ -n $SERVER_PID ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  [[ -z $SERVER_PID ]] || wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# 1. Python venv with schemathesis, reinstalled only when fuzz/requirements.txt changes.
PY=${PYTHON:-python3}
VENV=$ROOT/fuzz/.venv
REQ_SUM=$(sha256sum "$ROOT/fuzz/requirements.txt" | cut -d' ' -f1)
STAMP=$VENV/.requirements.sha256
if [[ ! -x $VENV/bin/python || ! -f $STAMP || $(cat "$STAMP") != "$REQ_SUM" ]]; then
  command -v "$PY" >/dev/null || die "$PY is required (Python 3.9 or newer)"
  "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 9))' || die "Python 3.9 or newer is required"
  log "creating fuzz/.venv and installing fuzz/requirements.txt"
  [[ -x $VENV/bin/python ]] || "$PY" -m venv "$VENV"
  timeout 600 "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    -r "$ROOT/fuzz/requirements.txt" || die "pip install -r fuzz/requirements.txt failed"
  echo "$REQ_SUM" >"$STAMP"
fi
ST=$VENV/bin/schemathesis
FUZZPY=("$VENV/bin/python" "$ROOT/fuzz/kycaid_fuzz.py")

# 2. The sandbox binary.
if [[ -n ${KYC_SANDBOX_BIN:-} ]]; then
  BIN=$KYC_SANDBOX_BIN
else
  log "cargo build --locked --bin kyc-sandbox"
  if ! timeout 900 cargo build --locked --bin kyc-sandbox >"$OUT/cargo.log" 2>&1; then
    tail -n 40 "$OUT/cargo.log" >&2
    die "cargo build failed or timed out"
  fi
  TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
  [[ $TARGET_DIR == /* ]] || TARGET_DIR=$ROOT/$TARGET_DIR
  BIN=$TARGET_DIR/debug/kyc-sandbox
fi
[[ -x $BIN ]] || die "no executable at $BIN"

# 3. The server: free port, frozen clock, seed 7. Restarted if a stage kills it (the death is a failure).
SERVER_LOG=$OUT/server.log
SERVER_ARGS=(--port 0 --clock frozen --seed 7)
# Only the main port: builds that also open one fixed port per provider would collide with any
# other sandbox running on this machine.
if "$BIN" --help 2>/dev/null | grep -q -- '--no-provider-ports'; then SERVER_ARGS+=(--no-provider-ports); fi
start_server() {
  RUST_LOG=${RUST_LOG:-warn} RUST_BACKTRACE=1 "$BIN" "${SERVER_ARGS[@]}" \
    >"$OUT/server.out" 2>>"$SERVER_LOG" &
  SERVER_PID=$!
  BASE=$(sandbox_base_url "$OUT/server.out" "$SERVER_PID") ||
    { SERVER_PID=; die "the sandbox exited or printed no 'admin http://…' line within 10 s"; }
  log "sandbox at $BASE (pid $SERVER_PID)"
}
start_server

FAILED=()
SUMMARIES=()
panics_seen=0
# After each stage: a dead server or a new panic in its log is a failure of that stage.
check_server() {
  local stage=$1 panics
  panics=$(grep -c 'panicked at' "$SERVER_LOG" || true)
  if ((panics > panics_seen)); then
    FAILED+=("$stage: $((panics - panics_seen)) panic(s) in the server log")
    log "$stage: panic(s):"
    { grep -A3 'panicked at' "$SERVER_LOG" | head -n 40 >&2; } || true
    panics_seen=$panics
  fi
  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    wait "$SERVER_PID" 2>/dev/null || true
    FAILED+=("$stage: the server process died")
    log "$stage: the server died; restarting it for the next stage"
    SERVER_PID=
    start_server
  fi
}

# One schemathesis run; its findings summarised by kycaid_fuzz.py st-summary.
run_st() {
  local name=$1 spec=$2 url=$3
  shift 3
  local dir=$OUT/st-$name rc=0 t0=$SECONDS
  mkdir -p "$dir"
  log "schemathesis $name ($spec at ${url#"$BASE"})"
  # From its report dir: schemathesis keeps a crash cache (.schemathesis/) in the working directory,
  # which must neither land in the repository nor replay one run's failures in the next.
  (cd "$dir" && timeout "$ST_LIMIT" "$ST" run "$ROOT/$spec" --url "$url" "$@" \
    --seed "$SEED" --max-examples "$EXAMPLES" --workers "$WORKERS" \
    --request-timeout "$TIMEOUT" --checks all --continue-on-failure --generation-database none \
    --output-sanitize false --no-color \
    --report json,ndjson --report-json-path "$dir/report.json" --report-ndjson-path "$dir/events.ndjson" \
    >"$dir/output.txt" 2>&1) || rc=$?
  # 0: nothing found; 1: checks failed (judged below). Anything else: schemathesis itself failed.
  if ((rc == 124)); then
    FAILED+=("$name: schemathesis did not finish within ${ST_LIMIT}s")
  elif ((rc > 1)) || [[ ! -s $dir/events.ndjson ]]; then
    tail -n 30 "$dir/output.txt" >&2
    FAILED+=("$name: schemathesis exited with $rc")
  fi
  if [[ -s $dir/events.ndjson ]]; then
    local summary
    if summary=$("${FUZZPY[@]}" st-summary --name "$name" --ndjson "$dir/events.ndjson" --json "$dir/report.json"); then :; else
      FAILED+=("$name: server errors, timeouts or dropped connections (see above)")
    fi
    printf '%s\n' "$summary" | tee "$dir/summary.txt"
    SUMMARIES+=("$(grep '^SUMMARY' <<<"$summary" | tail -n 1 || true) seconds=$((SECONDS - t0))")
  fi
  check_server "$name"
}

REBILLY=$BASE/rebilly
# Rebilly core resources, under the organization as the SDK calls them.
run_st rebilly tests/specs/rebilly-kyc.openapi.yaml "$REBILLY/organizations/org-fuzz" \
  --header 'REB-APIKEY: sk_fuzz' --exclude-path-regex '^/(storefront|experimental)/'
# Storefront and reports live before the organization (/storefront/…, /experimental/…), so they get
# their own runs: the storefront with a customer JWT of the same organization, reports with the key.
# The customer exists first (Rebilly refuses a login for an unknown one), with the e-mail it logs in as.
curl -sS --max-time "$TIMEOUT" -o /dev/null -X PUT -H 'Content-Type: application/json' -H 'REB-APIKEY: sk_fuzz' \
  -d '{"primaryAddress": {"emails": [{"label": "main", "value": "fuzz@example.com", "primary": true}]}}' \
  "$REBILLY/organizations/org-fuzz/customers/cus_fuzz" || FAILED+=("rebilly: creating the storefront customer failed")
JWT=$(curl -sS --max-time "$TIMEOUT" -X POST -H 'Content-Type: application/json' \
  -d '{"username": "fuzz@example.com", "password": "fuzz"}' \
  "$REBILLY/storefront/organizations/org-fuzz/login" |
  "$VENV/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["token"])') ||
  { JWT=; FAILED+=("rebilly-storefront: storefront login failed"); }
if [[ -n $JWT ]]; then
  run_st rebilly-storefront tests/specs/rebilly-kyc.openapi.yaml "$REBILLY" \
    --header "Authorization: Bearer $JWT" --include-path-regex '^/storefront/'
fi
run_st rebilly-reports tests/specs/rebilly-kyc.openapi.yaml "$REBILLY" \
  --header 'REB-APIKEY: sk_fuzz' --include-path-regex '^/experimental/'

# Sumvin: as the CLI (PAT), then as a browser user (JWT; session redemption needs one).
run_st sumvin tests/specs/sumvin-kyc.openapi.json "$BASE/sumvin" --header 'x-sumvin-pat: pat_fuzz'
run_st sumvin-jwt tests/specs/sumvin-kyc.openapi.json "$BASE/sumvin" --header 'x-juno-jwt: jwt_fuzz'

# KYCAID and ZealID Hermes: no spec; the seeded fuzzer, one target per run.
run_fuzzer() {
  local name=$1 requests=$2 seconds=$3 dir=$OUT/$1 rc=0
  log "kycaid_fuzz.py --targets $name"
  mkdir -p "$dir"
  timeout $((seconds + 120)) "${FUZZPY[@]}" --base-url "$BASE" --seed "$SEED" --targets "$name" \
    --requests "$requests" --max-seconds "$seconds" --timeout "$TIMEOUT" \
    --report "$dir/report.json" --artifacts "$dir/bodies" >"$dir/output.txt" 2>&1 || rc=$?
  cat "$dir/output.txt"
  ((rc == 0)) || FAILED+=("$name: $( ((rc == 124)) && echo 'the fuzzer did not finish in time' || echo 'failures (see above)')")
  SUMMARIES+=("$(grep '^SUMMARY' "$dir/output.txt" | tail -n 1 || true)")
  check_server "$name"
}
run_fuzzer kycaid "$KYCAID_REQUESTS" "$KYCAID_SECONDS"
run_fuzzer hermes "$HERMES_REQUESTS" "$HERMES_SECONDS"
run_fuzzer qolo "$QOLO_REQUESTS" "$QOLO_SECONDS"

echo
echo "== fuzz summary (mode $MODE, seed $SEED, $((SECONDS - START))s) =="
printf '%s\n' "${SUMMARIES[@]}"
if ((${#FAILED[@]})); then
  echo "FAILED:"
  printf '  - %s\n' "${FAILED[@]}"
  exit 1
fi
echo "OK: no server errors, timeouts, panics or envelope violations"
