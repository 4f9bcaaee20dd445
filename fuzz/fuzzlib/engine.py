"""Sends every target's requests through the common checks and keeps the counts and the findings.

A request shape (operation and body kind) that timed out is quarantined: not sent again, counted as
skipped, so a known hang costs one timeout instead of dozens."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Optional

from . import checks
from .client import HttpClient
from .model import FAILING_KINDS, Finding, Outcome, Req, shape_of
from .repro import Reproducer, describe

if TYPE_CHECKING:
    from .target import Target


class Engine:
    def __init__(
        self,
        base_url: str,
        timeout: float,
        artifacts: Optional[str],
        verbose: bool,
        quarantine_after: int = 1,
    ):
        self.client = HttpClient(base_url, timeout)
        self.reproducer = Reproducer(artifacts)
        self.verbose = verbose
        self.quarantine_after = quarantine_after
        self.stats: dict[str, Counter] = defaultdict(Counter)
        self.findings: dict[tuple, Finding] = {}
        self.timeouts_by_shape: Counter = Counter()
        self.server_dead = False

    @property
    def timeout(self) -> float:
        return self.client.timeout

    def url(self, target: "Target", path: str) -> str:
        return self.client.base_url + target.mount + path

    def send(self, target: "Target", req: Req) -> Optional[Outcome]:
        """Sends one request and applies the checks every response gets. None when skipped."""
        stats = self.stats[target.name]
        shape = (target.name, req.op, shape_of(req.variant))
        if self.server_dead or self.quarantined(shape):
            stats["skipped"] += 1
            return None
        stats["requests"] += 1
        out = self.client.send(self.url(target, req.path), req)
        if self.verbose:
            print(
                f"  {req.method} {req.path[:80]} [{req.variant}] -> {out.status or out.error}"
                f" {out.elapsed * 1000:.0f}ms",
                file=sys.stderr,
            )
        if out.error == "timeout":
            self.timeouts_by_shape[shape] += 1
        checks.check_response(self, target, req, out)
        return out

    def quarantined(self, shape: tuple) -> bool:
        return bool(self.quarantine_after) and self.timeouts_by_shape[shape] >= self.quarantine_after

    def check_alive(self, target: "Target", req: Optional[Req]) -> bool:
        error = self.client.health_error()
        if error is None:
            return True
        if not self.server_dead:
            self.server_dead = True
            self.flag(
                target,
                "server-died",
                req or Req("-", "-", "GET", "/"),
                Outcome(None, {}, b"", 0.0, error),
                "the server stopped answering /__admin/health after this request",
            )
        return False

    def admin(self, method: str, path: str, body=None):
        return self.client.admin(method, path, body)

    # -- findings

    def flag(
        self, target: "Target", kind: str, req: Req, out: Outcome, detail: str, counter: Optional[str] = None
    ) -> None:
        """Counts a finding under `counter` (default: its kind) and reports it."""
        self.stats[target.name][counter or kind] += 1
        self.report(target, kind, req, out, detail)

    def report(self, target: "Target", kind: str, req: Req, out: Outcome, detail: str) -> None:
        severity = "fail" if kind in FAILING_KINDS else "warn"
        # One finding per operation, body kind and status; the first example is kept, the rest counted.
        key = (target.name, kind, req.op, shape_of(req.variant), out.status)
        found = self.findings.get(key)
        if found:
            found.count += 1
            return
        self.findings[key] = Finding(
            kind=kind,
            severity=severity,
            op=f"{target.name} {req.op}",
            variant=req.variant,
            status=out.status,
            detail=detail,
            curl=self.reproducer.curl(self.url(target, req.path), req),
            response=describe(out),
        )
