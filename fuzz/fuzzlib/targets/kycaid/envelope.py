"""KYCAID's error envelope, `{"type": ..., "errors": [{"parameter", "message"}]}` served as JSON, and
the error `type` README's table gives each status."""

from __future__ import annotations

from typing import Optional

from ...checks import media_type
from ...model import Outcome

ERROR_TYPES = {
    400: {"bad_request"},
    408: {"request_timeout"},
    507: {"insufficient_storage"},
    401: {"unauthorized"},
    402: {"insufficient_funds"},
    403: {"forbidden"},
    404: {"not_found"},
    405: {"method_not_allowed"},
    413: {"payload_too_large"},
    415: {"bad_request"},
    422: {"validation"},
    429: {"flow"},
}


def envelope_problem(out: Outcome) -> Optional[str]:
    ct = media_type(out)
    if ct != "application/json":
        return f"content-type is {out.content_type or '(none)'!r}, not application/json"
    try:
        body = out.json()
    except ValueError:
        return "body is not JSON"
    if not isinstance(body, dict):
        return "body is not a JSON object"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "no string `type`"
    errors = body.get("errors")
    if not isinstance(errors, list) or not errors:
        return "`errors` is not a non-empty list"
    for e in errors:
        if not isinstance(e, dict) or "parameter" not in e or "message" not in e:
            return "an `errors` entry lacks `parameter` or `message`"
        if not (e["parameter"] is None or isinstance(e["parameter"], str)):
            return "an `errors` entry's `parameter` is not a string"
        if not isinstance(e["message"], str) or not e["message"]:
            return "an `errors` entry's `message` is not a non-empty string"
    extra = set(body) - {"type", "errors"}
    if extra:
        return f"extra top-level keys {sorted(extra)}"
    return None


def error_type_warning(out: Outcome) -> Optional[str]:
    expected = ERROR_TYPES.get(out.status)
    try:
        got = out.json().get("type")
    except Exception:
        return None
    if expected and got not in expected:
        return f"status {out.status} with type {got!r}; README says {sorted(expected)}"
    if not expected:
        return f"status {out.status} (type {got!r}) is not in README's error table"
    return None
