"""The Qolo target: logins and their bearer tokens (a login is a tenant), the persons and subscriptions
each login made (with what the fuzzer expects of them), the checks that a refused write wrote nothing,
and the weighted table of what the fuzzer does.

Persons come in two kinds. A *flow* person was created by a valid body and has only been moved by
valid steps, so the fuzzer knows its status, pending questions and result count and holds each next
step to README (a mismatch is a `flow` failure). A *scratch* person was created or changed by a
mutated body that the sandbox accepted: anything goes with it but the common checks."""

from __future__ import annotations

import json
from functools import partial
from typing import Optional

from ...bodies import JSON, json_bytes
from ...checks import media_type
from ...engine import Engine
from ...model import FAILING_KINDS, Outcome, Req
from ...target import Target, register
from ...values import Gen
from . import operations as ops
from .envelope import envelope_problem, error_type_warning
from .state import Person

# Qolo's own failing findings (fuzzlib/model.py lists the shared ones):
#   wrote-state   a 4xx that changed what the API or the admin state dump shows (README: "Bad input
#                 never writes anything"), or a search/list that holds more than the 2xx creates made;
#   cross-tenant  a login reading or changing another login's person, document or subscription;
#   auth-bypass   a forged, unsigned, expired or missing bearer token that got a 2xx.
FAILING_KINDS.update({"wrote-state", "cross-tenant", "auth-bypass"})

# (weight, action): how often each action is drawn.
ACTIONS = [
    (9, ops.create_valid),
    (9, ops.kyc_step),
    (9, ops.create_hostile),
    (4, ops.update_valid),
    (6, ops.update_hostile),
    (9, ops.kyc_hostile),
    (3, ops.read),
    (3, ops.search_valid),
    (4, ops.search_hostile),
    (3, ops.documents),
    (3, ops.notification_flow),
    (4, ops.notification_hostile),
    (4, ops.cross_tenant),
    (5, ops.hostile_auth),
    (2, ops.login_hostile),
    (4, ops.broken_body),
    (0.5, ops.oversized),
    (2, ops.wrong_route),
    (0.3, ops.expired_token),
]

LOGINS = ("fuzz-a", "fuzz-b", "fuzz-c")
ROTATE = 300  # actions before the fuzzer moves to fresh logins, so tenants (and state dumps) stay small
DUMP_CHANCE = 0.3  # the chance a refused write on a known person also compares the admin state dump


@register
class Qolo(Target):
    name = "qolo"
    mount = "/qolo"

    def __init__(self, engine: Engine, g: Gen, max_body: int):
        super().__init__(engine, g, max_body)
        self.generation = 0
        self.tokens: dict[str, str] = {}
        self.tenant_ids: dict[str, str] = {}  # login -> X-Sandbox-Tenant
        self.persons: dict[str, list[Person]] = {}
        self.notifications: dict[str, list] = {}  # login -> [state.Notification]
        self.created: dict[str, Optional[int]] = {}  # persons each login created (None: unknown)
        self.strangers = 0  # fresh logins used once, for cross-tenant reads

    def actions(self):
        return [(weight, partial(action, self)) for weight, action in ACTIONS]

    def setup(self) -> None:
        self.fresh_tenants()

    def tick(self, i: int) -> None:
        if i and i % ROTATE == 0:
            self.generation += 1
            self.persons.clear()
            self.notifications.clear()
            self.created.clear()
            self.fresh_tenants()

    def fresh_tenants(self) -> None:
        """Empties this generation's tenants, in case an earlier run against the same server used
        them: what each login holds is then only what this run made."""
        for login in self.logins():
            _, out = self.call("GET /api/v1/notifications", "setup", "GET", "/api/v1/notifications?limit=1", login)
            tenant = out.headers.get("x-sandbox-tenant") if out is not None else None
            if tenant:
                self.tenant_ids[login] = tenant
                self.engine.admin("POST", "/reset?tenant=" + tenant)

    # -- logins

    def logins(self) -> list[str]:
        return [f"{name}-g{self.generation}" for name in LOGINS]

    def login(self) -> str:
        return self.g.pick(self.logins())

    def token(self, login: str) -> Optional[str]:
        if login not in self.tokens:
            req = Req("POST /api/v1/auth/login", "valid", "POST", "/api/v1/auth/login", dict(JSON),
                      json_bytes({"loginid": login, "apikey": self.g.pick(["demo-apikey", "k", "any key 😀"])}))
            out = self.send(req)
            token = None
            if out is not None and out.succeeded:
                try:
                    b = out.json()
                    token = b.get("token") if b.get("token_type") == "Bearer" else None
                except (ValueError, AttributeError):
                    pass
            if not isinstance(token, str) or token.count(".") != 2:
                self.flow_failed(req, out, 'a login with a non-empty apikey did not answer {"token": <JWT>, "token_type": "Bearer"}')
                return None
            self.tokens[login] = token
        return self.tokens[login]

    def auth(self, login: str) -> dict:
        token = self.token(login)
        return {"Authorization": f"Bearer {token}"} if token else {}

    def stranger(self) -> str:
        self.strangers += 1
        return f"fuzz-stranger-{self.strangers}"

    # -- requests

    def call(self, op: str, variant: str, method: str, path: str, login: Optional[str], body=None,
             headers: Optional[dict] = None) -> tuple[Req, Optional[Outcome]]:
        """A request as `login` (None: no credentials); a dict body is sent as JSON."""
        h = dict(self.auth(login)) if login else {}
        if isinstance(body, (dict, list)):
            h.update(JSON)
            body = json_bytes(body)
        h.update(headers or {})
        req = Req(op, variant, method, path, h, body)
        out = self.send(req)
        if out is not None and out.status is not None:
            tenant = out.headers.get("x-sandbox-tenant")
            if tenant and login and login not in self.tenant_ids and out.status < 400:
                self.tenant_ids[login] = tenant
            if out.succeeded and out.status != 204 and method != "HEAD" and "/documents/" not in path:
                self.check_json(req, out)
        return req, out

    def check_json(self, req: Req, out: Outcome) -> None:
        if media_type(out) != "application/json":
            self.engine.flag(self, "bad-json-2xx", req, out, f"a 2xx served as {out.content_type or '(none)'!r}, not JSON")
            return
        try:
            if not isinstance(out.json(), dict):
                self.engine.flag(self, "bad-json-2xx", req, out, "a 2xx whose JSON is not an object")
        except ValueError:
            pass  # flagged by fuzzlib/checks.py

    def check_error(self, req: Req, out: Outcome) -> Optional[str]:
        return envelope_problem(out)

    def check_error_type(self, req: Req, out: Outcome) -> Optional[str]:
        return error_type_warning(out)

    # -- what the checks report

    def flow_failed(self, req: Req, out: Optional[Outcome], detail: str) -> None:
        """A valid step README says succeeds (or answers so) that did not: a failure."""
        if out is not None and out.status is not None and out.status < 500:
            self.engine.flag(self, "flow", req, out, detail)

    def accepted(self, req: Req, out: Optional[Outcome], detail: str, kind: str = "hostile-accepted") -> bool:
        if out is not None and out.succeeded:
            self.engine.flag(self, kind, req, out, detail)
            return True
        return False

    # -- state the fuzzer knows

    def own(self, login: str, flow: Optional[bool] = None) -> list[Person]:
        return [p for p in self.persons.get(login, []) if flow is None or p.flow == flow]

    def any_person(self, flow: Optional[bool] = None) -> Optional[Person]:
        people = [p for login in self.logins() for p in self.own(login, flow)]
        return self.g.pick(people) if people else None

    def add_person(self, p: Person) -> None:
        self.persons.setdefault(p.login, []).append(p)

    def count_create(self, login: str, out: Optional[Outcome]) -> None:
        """Keeps the number of persons a login made: +1 on a 2xx, unknown when a create got no answer."""
        n = self.created.get(login, 0)
        if out is None or out.status is None:
            self.created[login] = None
        elif n is not None and out.succeeded:
            self.created[login] = n + 1
        else:
            self.created.setdefault(login, n)

    # -- "nothing written"

    def dump(self, login: str) -> Optional[str]:
        tenant = self.tenant_ids.get(login)
        if not tenant:
            return None
        r = self.engine.admin("GET", f"/tenants/{tenant}/state")
        if r is None:
            return None
        if r.status_code == 404:
            return "(no tenant)"
        try:
            return json.dumps(r.json().get("state"), sort_keys=True)
        except ValueError:
            return None

    def snapshot(self, p: Person, with_dump: bool) -> dict:
        """What the API (and, sampled, the admin dump) shows of `p`, to compare after a refused write."""
        snap = {}
        for what, path in (("person", f"/api/v1/persons/{p.guid}"), ("kyc", f"/api/v1/persons/{p.guid}/kyc")):
            _, out = self.call(f"GET {path.replace(p.guid, '{guid}')}", "snapshot", "GET", path, p.login)
            snap[what] = (out.status, out.body) if out is not None else None
        if with_dump:
            snap["dump"] = self.dump(p.login)
        return snap

    def unchanged(self, p: Person, before: dict, req: Req, out: Optional[Outcome]) -> bool:
        """After a refused write on `p`: flags wrote-state when anything differs. True when nothing did."""
        if out is None or out.status is None or not (400 <= out.status < 500):
            return True
        after = self.snapshot(p, "dump" in before)
        for what in before:
            if before[what] is not None and after.get(what) is not None and before[what] != after[what]:
                detail = f"a {out.status} changed the {what if what != 'dump' else 'admin state dump'} of person {p.guid}"
                if what == "dump":
                    detail += ": " + first_difference(before[what], after[what])
                elif what == "kyc":
                    detail += f" (verificationResults {count_results(before[what])} -> {count_results(after[what])})"
                self.engine.flag(self, "wrote-state", req, out, detail)
                p.flow = False
                return False
        return True


def count_results(snap) -> object:
    try:
        return len(json.loads(snap[1])["verificationResults"])
    except Exception:
        return "?"


def first_difference(a: str, b: str) -> str:
    try:
        da, db = json.loads(a), json.loads(b)
    except (ValueError, TypeError):
        return f"{a[:100]!r} -> {b[:100]!r}"
    path = []
    while isinstance(da, dict) and isinstance(db, dict):
        keys = sorted(set(da) | set(db))
        diff = [k for k in keys if da.get(k) != db.get(k)]
        if not diff:
            break
        path.append(diff[0])
        da, db = da.get(diff[0]), db.get(diff[0])
    return f"{'.'.join(path)}: {json.dumps(da)[:200]} -> {json.dumps(db)[:200]}"
