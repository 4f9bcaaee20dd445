"""The Hermes target: the fixture client, its error envelope, the live codes, tokens and picture links
the valid flows leave, and the weighted table of what the fuzzer does."""

from __future__ import annotations

from functools import partial
from typing import Optional

from ...checks import media_type
from ...engine import Engine
from ...model import Outcome, Req
from ...target import Target, register
from ...values import Gen
from . import operations as ops
from .signing import Signer

# (weight, action, arguments): how often each action is drawn.
ACTIONS = [
    (8, ops.valid_flow),
    (3, ops.get_data_again),
    (10, ops.hostile_auth),
    (2, ops.reused_nonce),
    (10, ops.hostile_body),
    (6, ops.bad_code),
    (1, ops.expired),
    (4, ops.unknown_token),
    (4, ops.pictures),
    (6, ops.authorize_fuzz),
    (2, ops.wrong_route),
]


def envelope_problem(out: Outcome) -> Optional[str]:
    """Hermes' errors: `{"status": "error", "success": false, "message": "…"}` served as JSON."""
    if media_type(out) != "application/json":
        return f"content-type is {out.content_type or '(none)'!r}, not application/json"
    try:
        body = out.json()
    except ValueError:
        return "body is not JSON"
    if not isinstance(body, dict):
        return "body is not a JSON object"
    if body.get("status") != "error" or body.get("success") is not False:
        return '`status` is not "error" or `success` is not false'
    if not isinstance(body.get("message"), str) or not body["message"]:
        return "`message` is not a non-empty string"
    extra = set(body) - {"status", "success", "message"}
    return f"extra top-level keys {sorted(extra)}" if extra else None


@register
class Hermes(Target):
    name = "hermes"
    mount = "/hermes"

    def __init__(self, engine: Engine, g: Gen, max_body: int):
        super().__init__(engine, g, max_body)
        self.signer = Signer(g, self.mount)
        self.tokens: list[str] = []  # access tokens the valid flows got
        self.used_codes: list[str] = []
        self.picture_paths: list[str] = []  # under the mount

    def actions(self):
        return [(weight, partial(action, self, *args)) for weight, action, *args in ACTIONS]

    def check_error(self, req: Req, out: Outcome) -> Optional[str]:
        if req.path.startswith("/authorize") and req.method == "GET":
            # The login page is for people: its errors are HTML pages that redirect nowhere
            # (another method is a routing error, in the envelope).
            if media_type(out) != "text/html":
                return f"an /authorize error page served as {out.content_type or '(none)'!r}, not text/html"
            return None
        return envelope_problem(out)

    def flow_failed(self, req: Req, out: Optional[Outcome], detail: str) -> None:
        """A valid, correctly signed step that did not succeed: a failure."""
        if out is not None and out.status is not None and out.status < 500:
            self.engine.flag(self, "flow", req, out, detail)

    def accepted(self, req: Req, out: Optional[Outcome], detail: str) -> None:
        """A request the README says must be refused, answered 2xx: a warning."""
        if out is not None and out.succeeded:
            self.engine.flag(self, "hostile-accepted", req, out, detail)
