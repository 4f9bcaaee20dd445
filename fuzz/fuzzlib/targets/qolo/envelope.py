"""Qolo's errors: ASP.NET Core ProblemDetails served as `application/problem+json` (README, Qolo,
Errors): `{"type", "title", "status", "traceId"}`, plus `errors: {path: [messages]}` on a validation
400 and `detail` on other 400s and on 401s."""

from __future__ import annotations

import re
from typing import Optional

from ...checks import media_type
from ...model import Outcome

TRACE_ID = re.compile(r"^00-[0-9a-f]{32}-[0-9a-f]{16}-00$")
VALIDATION_TITLE = "One or more validation errors occurred."
ALLOWED_KEYS = {"type", "title", "status", "traceId", "errors", "detail", "instance"}
# The titles README names for 404s (plus routing's and the image route's).
NOT_FOUND_TITLES = {"Person not found", "Program not found", "Notification not found", "Document not found", "Not Found"}


def envelope_problem(out: Outcome) -> Optional[str]:
    if media_type(out) != "application/problem+json":
        return f"content-type is {out.content_type or '(none)'!r}, not application/problem+json"
    try:
        body = out.json()
    except ValueError:
        return "body is not JSON"
    if not isinstance(body, dict):
        return "body is not a JSON object"
    for key in ("type", "title", "traceId"):
        if not isinstance(body.get(key), str) or not body[key]:
            return f"`{key}` is not a non-empty string"
    if body.get("status") != out.status or isinstance(body.get("status"), bool):
        return f"`status` is {body.get('status')!r}, the response is {out.status}"
    if not TRACE_ID.match(body["traceId"]):
        return f"`traceId` {body['traceId']!r} is not 00-<32 hex>-<16 hex>-00"
    extra = set(body) - ALLOWED_KEYS
    if extra:
        return f"extra top-level keys {sorted(extra)}"
    errors, detail = body.get("errors"), body.get("detail")
    if errors is not None:
        if out.status != 400:
            return f"`errors` on a {out.status}"
        if not isinstance(errors, dict) or not errors:
            return "`errors` is not a non-empty object"
        for path, msgs in errors.items():
            if not isinstance(msgs, list) or not msgs or not all(isinstance(m, str) and m for m in msgs):
                return f"`errors[{path!r}]` is not a non-empty list of messages"
        if body["title"] != VALIDATION_TITLE:
            return f"a validation 400 titled {body['title']!r}"
        if detail is not None:
            return "both `errors` and `detail`"
    elif out.status in (400, 401):
        if not isinstance(detail, str) or not detail:
            return f"a {out.status} with neither `errors` nor a `detail` string"
    elif detail is not None and not isinstance(detail, str):
        return "`detail` is not a string"
    if out.status == 401 and "bearer" not in out.headers.get("www-authenticate", "").lower():
        return "a 401 without `WWW-Authenticate: Bearer`"
    return None


def error_type_warning(out: Outcome) -> Optional[str]:
    """404 titles README does not name."""
    if out.status == 404:
        try:
            title = out.json().get("title")
        except Exception:
            return None
        if title not in NOT_FOUND_TITLES:
            return f"a 404 titled {title!r}, not one of {sorted(NOT_FOUND_TITLES)}"
    return None
