"""What a fuzz run prints and saves: each finding with its curl, a SUMMARY line per target (the line
scripts/fuzz.sh collects), and the JSON report."""

from __future__ import annotations

import json
import sys
from collections import Counter

from .model import Finding


def print_findings(findings: list[Finding], out=sys.stdout) -> None:
    for i, f in enumerate(findings, 1):
        print(
            f"\n[{i}] {f.severity.upper()} {f.kind}: {f.op} [{f.variant}] status={f.status} (x{f.count})",
            file=out,
        )
        print(f"    {f.detail}", file=out)
        print(f"    reproduce: {f.curl}", file=out)
        print("    response: " + f.response.replace("\n", "\n      "), file=out)


def summary_line(name: str, s: Counter) -> str:
    return (
        f"SUMMARY {name}: requests={s['requests']} 2xx={s['2xx']} 4xx={s['4xx']} 5xx={s['5xx']} 507={s['507']} "
        f"timeouts={s['timeouts']} no-response={s['no-response']} bad-envelope={s['bad-envelope']} "
        f"readback={s['readback'] + s['delete-not-effective'] + s['bad-json-2xx']} "
        f"flow={s['flow']} server-died={s['server-died']} skipped={s['skipped']} seconds={s['seconds']}"
    )


def findings_line(findings: list[Finding], failures: list[Finding], seconds: float) -> str:
    kinds = Counter(f.kind for f in findings)
    return f"findings: {len(findings)} distinct ({dict(kinds)}), {len(failures)} failing; {seconds:.0f}s"


def write_json(path: str, seed: int, stats: dict[str, Counter], findings: list[Finding]) -> None:
    with open(path, "w") as fh:
        json.dump(
            {
                "seed": seed,
                "stats": {n: dict(s) for n, s in stats.items()},
                "findings": [f.__dict__ for f in findings],
            },
            fh,
            indent=1,
            ensure_ascii=False,
        )
