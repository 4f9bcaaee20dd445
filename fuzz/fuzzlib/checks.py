"""What every response is held to, whatever the provider: no 5xx (but the documented limit statuses),
an answer within the timeout, a connection never dropped without one, JSON where a 2xx says JSON, and
4xx bodies in the provider's error envelope (the target's `check_error`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from .model import Outcome, Req

if TYPE_CHECKING:
    from .engine import Engine
    from .target import Target


def check_response(engine: "Engine", target: "Target", req: Req, out: Outcome) -> None:
    if out.status is None:
        check_no_answer(engine, target, req, out)
        return
    stats = engine.stats[target.name]
    if out.status < 500:
        stats[f"{out.status // 100}xx"] += 1
    elif out.status in target.limit_statuses:
        stats[str(out.status)] += 1
    if out.succeeded and req.method != "HEAD" and media_type(out) == "application/json":
        try:
            json.loads(out.body)
        except ValueError:
            engine.flag(target, "bad-json-2xx", req, out, "a 2xx application/json body that is not JSON")
    if out.status >= 500 and out.status not in target.limit_statuses:
        engine.flag(target, "5xx", req, out, f"server error {out.status}")
    elif out.status >= 400 and not target.skip_error_check(req, out):
        # 4xx, and the documented limit answers (507 when the upload store is full),
        # must come in the provider's envelope.
        problem = target.check_error(req, out)
        if problem:
            engine.flag(target, "bad-envelope", req, out, problem)
        else:
            warning = target.check_error_type(req, out)
            if warning:
                engine.report(target, "error-type", req, out, warning)


def check_no_answer(engine: "Engine", target: "Target", req: Req, out: Outcome) -> None:
    if out.error == "timeout":
        engine.flag(target, "timeout", req, out, f"no answer within {engine.timeout}s", counter="timeouts")
    else:
        engine.flag(target, "no-response", req, out, out.error or "")
    engine.check_alive(target, req)


def media_type(out: Outcome) -> str:
    return out.content_type.split(";")[0].strip().lower()
