"""The curl command that sends a request again, and what a finding shows of its response."""

from __future__ import annotations

import os
import shlex
from typing import Optional

from .model import Outcome, Req
from .shell import shq


class Reproducer:
    def __init__(self, artifacts: Optional[str]):
        self.artifacts = artifacts  # where bodies too large for an inline curl are saved
        self._saved = 0

    def curl(self, url: str, req: Req) -> str:
        """A bash command that sends `req` to `url` again (each piece already quoted)."""
        parts = ["curl -sS -i --max-time 10"]
        parts.append("-I" if req.method == "HEAD" else "-X " + shq(req.method))
        has_ct = False
        for k, v in req.headers.items():
            has_ct |= k.lower() == "content-type"
            raw = v if isinstance(v, bytes) else v.encode("utf-8")
            parts.append("-H " + shq(k.encode() + b": " + raw))
        if req.body is not None:
            if not has_ct:
                parts.append("-H 'Content-Type:'")  # else curl adds a form content type
            if req.chunked:
                parts.append("-H 'Transfer-Encoding: chunked'")
            parts.append("--data-binary " + self.body_arg(req.body))
        elif req.method in ("POST", "PUT", "PATCH"):
            parts.append("-H 'Content-Length: 0'")
        parts.append(shq(url))
        return " ".join(parts)

    def body_arg(self, body: bytes) -> str:
        printable = False
        try:
            text = body.decode("utf-8")
            printable = all(c.isprintable() or c in "\r\n\t" for c in text)
        except UnicodeDecodeError:
            pass
        if len(body) <= 1500 and (printable or len(body) <= 300):
            return shq(body)
        if self.artifacts:
            os.makedirs(self.artifacts, exist_ok=True)
            self._saved += 1
            path = os.path.join(os.path.abspath(self.artifacts), f"body-{self._saved:04d}.bin")
            with open(path, "wb") as f:
                f.write(body)
            return "@" + shlex.quote(path)
        return f"@BODY-{len(body)}-bytes-not-saved(use --artifacts DIR)"


def describe(out: Outcome) -> str:
    if out.status is None:
        return f"(no response: {out.error}, after {out.elapsed:.1f}s)"
    body = out.body[:600]
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = repr(body)
    more = f" ... ({len(out.body)} bytes)" if len(out.body) > 600 else ""
    return f"{out.status} content-type: {out.content_type or '(none)'}\n{text}{more}"
