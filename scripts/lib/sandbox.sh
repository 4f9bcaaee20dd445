# Shared by the scripts that start a sandbox: waits for its start-up banner and prints the main
# port's base URL, read from the last line (`admin   http://127.0.0.1:NNNN/__admin`).
#
#   base=$(sandbox_base_url "$stdout_file" "$pid") || die "..."
# Fails (status 1) if the process exits or prints no banner within 10 s.
sandbox_base_url() {
  local out=$1 pid=$2 line
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || return 1
    line=$(grep -m1 -E '^admin[[:space:]]+http://' "$out" 2>/dev/null || true)
    if [[ -n $line ]]; then
      line=${line##* }
      echo "${line%/__admin}"
      return 0
    fi
    sleep 0.1
  done
  return 1
}
