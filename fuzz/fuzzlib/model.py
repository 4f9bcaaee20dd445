"""The records the fuzzer passes around: a request as sent, what came back, and a finding."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Req:
    """One request, as sent. `path` is under the target's mount, already percent-encoded."""

    op: str  # the operation, e.g. "POST /applicants": findings are grouped by it
    variant: str  # how the request was built, e.g. "json:wrong-type", "multipart:no-closing-boundary"
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: Optional[bytes] = None
    chunked: bool = False  # send the body with Transfer-Encoding: chunked


@dataclass
class Outcome:
    status: Optional[int]
    headers: dict
    body: bytes
    elapsed: float
    error: Optional[str] = None  # "timeout" or "no-response: ..."

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    def json(self):
        return json.loads(self.body)


@dataclass
class Finding:
    kind: str  # 5xx, timeout, no-response, bad-envelope, readback, ...
    severity: str  # "fail" or "warn"
    op: str
    variant: str
    status: Optional[int]
    detail: str
    curl: str
    response: str
    count: int = 1


# Findings that fail a run; anything else is reported as a warning.
FAILING_KINDS = {
    "5xx",
    "timeout",
    "no-response",
    "bad-envelope",
    "bad-json-2xx",
    "readback",
    "delete-not-effective",
    "server-died",
    "flow",  # a valid, correctly signed flow (Hermes) that did not succeed
}


def shape_of(variant: str) -> str:
    """How a request's body was built, whatever its auth or field mutations:
    "multipart:no-closing-boundary+auth:none" -> "multipart:no-closing-boundary"."""
    return ":".join(variant.split("+")[0].split(":")[:2])
