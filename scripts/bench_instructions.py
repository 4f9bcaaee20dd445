#!/usr/bin/env python3
"""Instructions per request: the sandbox's calls and the bare actix-web ceiling, each run under callgrind.

Run through scripts/bench-instructions.sh, which builds both release binaries and installs valgrind and wrk when
missing. Requests per second move by a fifth between runs on a shared machine; the number of instructions a
request executes in user space does not, so this is what to compare two builds by when a change saves a few per
cent. Each server runs under `valgrind --tool=callgrind`; for each call the counters are zeroed, wrk sends requests
for `--duration` seconds over a few connections, and the instructions counted are divided by the requests
answered. Under valgrind a request is some fifty times slower, so the figures are instructions, not time: cache
misses, system calls and the kernel's share are not in them, and the per-request share of the event loop depends
a little on how many connections there are. It is a benchmark, not a test: nothing here asserts a count.
"""

import argparse
import glob
import os
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no scripts/__pycache__ left in the tree by the import below
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (scripts/bench.py: wrk driver and the calls; its uploader count is set below)
from bench import run_wrk, setup_calls, write_lua  # noqa: E402
from bench_servers import ROOT, start_ceiling, start_sandbox  # noqa: E402
from bench_report import fmt_row  # noqa: E402


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--duration", type=int, default=3, help="seconds of wrk per call")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--calls", help="comma-separated row numbers of the calls to measure (all by default)")
    parser.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    return parser.parse_args()


class Counted:
    """A server under callgrind, whose instruction counter can be zeroed and read."""

    def __init__(self, start):
        self.dumps = tempfile.mkdtemp(prefix="kyc-callgrind-")
        wrap = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={self.dumps}/out.%p"]
        self.server = start(wrap, 120.0)

    def zero(self):
        subprocess.run(["callgrind_control", "--zero", str(self.server.process.pid)], capture_output=True,
                       check=True)

    def instructions(self):
        for old in glob.glob(f"{self.dumps}/out.*"):
            os.remove(old)
        subprocess.run(["callgrind_control", "--dump", str(self.server.process.pid)], capture_output=True,
                       check=True)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            for dump in glob.glob(f"{self.dumps}/out.*"):
                with open(dump) as lines:
                    for line in lines:
                        if line.startswith(("summary:", "totals:")):
                            return int(line.split()[1])
            time.sleep(0.2)
        raise RuntimeError("callgrind wrote no dump")

    def per_request(self, url, script, args):
        self.zero()
        run = run_wrk(url, script, args)
        return self.instructions() / max(run["requests"], 1), run["requests"]

    def stop(self):
        self.server.stop()


def main():
    args = parse_args()
    # Fewer uploaders than bench.py's 10,000: creating them under valgrind takes minutes, and how many there are
    # does not change what one upload executes.
    bench.SUMVIN_UPLOADERS = 50
    scripts = tempfile.mkdtemp(prefix="kyc-bench-")
    ceiling = Counted(start_ceiling)
    ceiling_script = write_lua(scripts, "ceiling", "GET", {})
    ceiling_ir, _ = ceiling.per_request(f"http://127.0.0.1:{ceiling.server.port}/", ceiling_script, args)
    ceiling.stop()
    sandbox = Counted(start_sandbox)
    try:
        calls = setup_calls(sandbox.server, scripts)
        wanted = {int(n) for n in args.calls.split(",")} if args.calls else set(range(len(calls)))
        lines = [
            f"kyc-sandbox instructions per request under callgrind, {time.strftime('%Y-%m-%d')}, "
            f"wrk -t1 -c{args.connections}, {args.duration} s per call",
            "",
            fmt_row(["call", "instructions per request", "ratio to ceiling", "requests counted"]),
            fmt_row(["---", "---:", "---:", "---:"]),
            fmt_row(["bare actix-web ceiling, fixed 1 KiB JSON", f"{ceiling_ir:,.0f}", "1.00", ""]),
        ]
        for row, (name, _, url, script, _) in enumerate(calls):
            if row not in wanted:
                continue
            ir, requests = sandbox.per_request(url, script, args)
            lines.append(fmt_row([name, f"{ir:,.0f}", f"{ceiling_ir / ir:.2f}", f"{requests:,}"]))
            print(f"  {name}: {ir:,.0f}", file=sys.stderr)
    finally:
        sandbox.stop()
    table = "\n".join(lines)
    print(table)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "instructions.md"), "w") as f:
        f.write(table + "\n")


if __name__ == "__main__":
    main()
