"""A provider mounted in the sandbox, and the registry `--targets` picks from.

A new provider (ZealID Hermes, Qolo) subclasses `Target` in fuzzlib/targets/<name>/ with its mount
("/hermes", "/qolo"), its credentials, its error envelope in `check_error` and its weighted `actions`,
is decorated with `@register`, and is imported by fuzzlib/targets/__init__.py. A target that declares
its resources as `Resource`s (fuzzlib/resources.py) gets create, read, update and delete, with their
read-back checks, by implementing the methods under "what the resource operations need"."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Callable, Optional

from .model import Outcome, Req
from .values import Gen

if TYPE_CHECKING:
    from .engine import Engine
    from .resources import Resource

TARGETS: dict[str, type] = {}


def register(cls):
    TARGETS[cls.name] = cls
    return cls


class Target:
    name = ""
    mount = ""
    # 5xx statuses the sandbox documents as a deliberate limit, not a server error (README, Limits).
    limit_statuses: set = {507}

    def __init__(self, engine: "Engine", g: Gen, max_body: int):
        self.engine = engine
        self.g = g
        self.max_body = max_body

    def setup(self) -> None:
        pass

    def actions(self) -> list[tuple[float, Callable[[], None]]]:
        raise NotImplementedError

    def check_error(self, req: Req, out: Outcome) -> Optional[str]:
        """A problem with a 4xx response's body or content type, or None."""
        raise NotImplementedError

    def check_error_type(self, req: Req, out: Outcome) -> Optional[str]:
        """A warning when an error's kind disagrees with the documented one, or None."""
        return None

    def skip_error_check(self, req: Req, out: Outcome) -> bool:
        return req.method == "HEAD"

    def tick(self, i: int) -> None:
        """Called before every action (e.g. to move the sandbox clock now and then)."""

    def send(self, req: Req) -> Optional[Outcome]:
        return self.engine.send(self, req)

    def run(self, budget_requests: int, budget_seconds: float) -> None:
        self.setup()
        weighted = self.actions()
        total = sum(w for w, _ in weighted)
        started = time.monotonic()
        stats = self.engine.stats[self.name]
        i = 0
        while (
            stats["requests"] + stats["skipped"] < budget_requests
            and time.monotonic() - started < budget_seconds
            and not self.engine.server_dead
        ):
            self.tick(i)
            i += 1
            r = self.g.rng.random() * total
            for w, action in weighted:
                r -= w
                if r <= 0:
                    action()
                    break
        if not self.engine.server_dead:
            self.engine.check_alive(self, None)

    # -- what the resource operations (fuzzlib/resources.py) need

    def pick_auth(self) -> tuple[Optional[str], dict, str]:
        """(credential whose ids are known, or None; headers; variant suffix such as "+auth:none")."""
        raise NotImplementedError

    def known(self, credential: Optional[str], kind: str) -> str:
        """An id of `kind` to put in a path or body: mostly one `credential` created, sometimes not."""
        raise NotImplementedError

    def remember(self, credential: Optional[str], kind: str, id_: str) -> None:
        raise NotImplementedError

    def forget(self, credential: Optional[str], kind: str, id_: str) -> None:
        raise NotImplementedError

    def credentials(self, req: Req) -> dict:
        """The headers of `req` that say who sends it: what a check's own follow-up request reuses."""
        return {k: v for k, v in req.headers.items() if k.lower() == "authorization"}

    def mutate(self, fields: dict, id_fields: tuple) -> tuple[dict, str]:
        """(fields, tag): unchanged ("valid") or broken ("mutated:..."); `id_fields` hold other ids."""
        raise NotImplementedError

    def body_req(
        self, op: str, method: str, path: str, fields: dict, tag: str, auth: dict, auth_tag: str
    ) -> Req:
        """A request whose body carries `fields`, encoded one way or another."""
        raise NotImplementedError

    def read_back(self, res: "Resource", body: dict) -> None:
        """Sees the JSON of every resource read back after its create (e.g. to collect links in it)."""
