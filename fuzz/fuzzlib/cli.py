"""Fuzz mode: run the selected targets, each on its own seeded stream, then print and save the results.
The exit status is 1 when anything failed."""

from __future__ import annotations

import argparse
import random
import time

from . import report
from .engine import Engine
from .target import TARGETS
from . import targets  # noqa: F401  (registers every provider's target)
from .values import Gen


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description="Seeded fuzzer for kyc-sandbox's KYCAID and ZealID Hermes (and later Qolo) APIs."
    )
    p.add_argument("--base-url", required=True, help="the sandbox root, e.g. http://127.0.0.1:4747")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--requests", type=int, default=1500, help="request budget per target")
    p.add_argument("--max-seconds", type=float, default=120, help="time budget per target")
    p.add_argument(
        "--timeout", type=float, default=5.0, help="client timeout per request; a timeout is a failure"
    )
    p.add_argument("--max-body", type=int, default=10485760, help="the server's --max-body")
    p.add_argument("--targets", default="kycaid", help=f"comma-separated, from: {', '.join(TARGETS)}")
    p.add_argument("--report", help="write the summary and findings as JSON here")
    p.add_argument("--artifacts", help="directory for request bodies too large for an inline curl")
    p.add_argument(
        "--quarantine-after",
        type=int,
        default=1,
        help="stop sending a request shape after it timed out this many times (0: never)",
    )
    p.add_argument("--strict-warnings", action="store_true", help="warnings fail the run too")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)
    args.names = [n.strip() for n in args.targets.split(",") if n.strip()]
    for n in args.names:
        if n not in TARGETS:
            p.error(f"unknown target {n!r} (known: {', '.join(TARGETS)})")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    engine = Engine(args.base_url, args.timeout, args.artifacts, args.verbose, args.quarantine_after)
    started = time.monotonic()
    for n in args.names:
        # Each target its own stream, so adding a target leaves the others' requests as they were.
        target = TARGETS[n](engine, Gen(random.Random(f"{args.seed}:{n}")), args.max_body)
        t0 = time.monotonic()
        target.run(args.requests, args.max_seconds)
        engine.stats[n]["seconds"] = round(time.monotonic() - t0)

    findings = sorted(engine.findings.values(), key=lambda f: (f.severity != "fail", f.kind, f.op, f.variant))
    failures = [f for f in findings if f.severity == "fail" or args.strict_warnings]
    report.print_findings(findings)
    print()
    for n in args.names:
        print(report.summary_line(n, engine.stats[n]))
    print(report.findings_line(findings, failures, time.monotonic() - started))
    if args.report:
        report.write_json(args.report, args.seed, {n: engine.stats[n] for n in args.names}, findings)
    return 1 if failures else 0
