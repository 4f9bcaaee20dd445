"""The KYCAID target: `Token` credentials, the ids each credential created, the random extras every
request may get, and the weighted table of what the fuzzer does."""

from __future__ import annotations

from collections import defaultdict
from functools import partial
from typing import Optional

from ... import lifecycle
from ... import resources as crud
from ...bodies import encode_body, oversized_body
from ...engine import Engine
from ...model import Outcome, Req
from ...target import Target, register
from ...values import Gen
from . import operations as ops
from .envelope import envelope_problem, error_type_warning
from .mutations import mutate
from .resources import ADDRESSES, AFFILIATED_PERSONS, APPLICANTS, DOCUMENTS, FILES, VERIFICATIONS

# (weight, action, arguments): how often each action is drawn.
ACTIONS = [
    (10, crud.create, APPLICANTS),
    (4, crud.read, APPLICANTS),
    (2, ops.list_collection),
    (4, crud.update, APPLICANTS),
    (1, crud.delete, APPLICANTS),
    (7, ops.upload_file),
    (2, ops.get_file),
    (2, ops.replace_file),
    (1, crud.delete, FILES),
    (8, crud.create, DOCUMENTS),
    (3, crud.read, DOCUMENTS, ADDRESSES, AFFILIATED_PERSONS, VERIFICATIONS),
    (3, crud.update, DOCUMENTS),
    (1, crud.delete, DOCUMENTS),
    (5, crud.create, ADDRESSES),
    (2, crud.update, ADDRESSES),
    (1, crud.delete, ADDRESSES),
    (3, crud.create, AFFILIATED_PERSONS),
    (1, crud.update, AFFILIATED_PERSONS),
    (1, crud.delete, AFFILIATED_PERSONS),
    (5, crud.create, VERIFICATIONS),
    (2, crud.read, VERIFICATIONS),
    (2, ops.set_verification_status),
    (3, ops.form_url),
    (2, ops.form_submit),
    (1, ops.bdb),
    (1, ops.reference),
    (2, ops.wrong_method),
    (2, ops.unknown_route),
    (1, ops.bad_path_id),
]

# Credentials a client might get wrong, as (name, headers).
ODD_AUTH = [
    ("none", {}),
    ("bearer", {"Authorization": "Bearer fuzz-a"}),
    ("empty-token", {"Authorization": "Token "}),
    ("basic", {"Authorization": "Basic Zm9vOmJhcg=="}),
    ("lowercase", {"Authorization": "token fuzz-a"}),
    ("forbidden", {"Authorization": "Token forbidden-fuzz"}),
    ("no-funds", {"Authorization": "Token no-funds-fuzz"}),
    ("unicode", {"Authorization": "Token фаззер😀".encode("utf-8")}),
    ("long", {"Authorization": "Token " + "t" * 6000}),
    ("spaces", {"Authorization": "Token    fuzz-a   "}),
    ("two-tokens", {"Authorization": "Token a b c"}),
]
# The odd credentials that still name a tenant (so its ids apply), and which one.
ODD_AUTH_TENANT = {"bearer": "fuzz-a", "spaces": "fuzz-a", "no-funds": "no-funds-fuzz"}


def token_auth(token: str) -> dict:
    return {"Authorization": f"Token {token}"}


@register
class Kycaid(Target):
    name = "kycaid"
    mount = "/kycaid"

    def __init__(self, engine: Engine, g: Gen, max_body: int):
        super().__init__(engine, g, max_body)
        # Ids by credential, then by resource kind: what `known` draws from.
        self.ids: dict[str, dict[str, list[str]]] = {t: defaultdict(list) for t in ("fuzz-a", "fuzz-b")}
        self.countries = ["UA", "GB", "DE", "US", "FR"]
        self.activities = [self.g.hex_id()]
        self.form_tokens: list[str] = []
        self.storage_paths: list[str] = []  # documents' front_side etc. URLs (no token needed)
        self.oversized_sent = 0

    def actions(self):
        return [(weight, partial(action, self, *args)) for weight, action, *args in ACTIONS]

    def setup(self) -> None:
        out = self.send(Req("GET /countries", "valid", "GET", "/countries", token_auth("fuzz-a")))
        try:
            self.countries = [c["code"] for c in out.json()] or self.countries
        except Exception:
            pass
        out = self.send(
            Req("GET /business-activities", "valid", "GET", "/business-activities", token_auth("fuzz-a"))
        )
        try:
            self.activities = [
                a["business_activity_id"] for cat in out.json() for a in cat["activities"]
            ] or self.activities
        except Exception:
            pass

    def tick(self, i: int) -> None:
        # The fuzz server's clock is frozen: move it now and then so reviews complete and
        # callbacks (to a closed loopback port) are attempted and retried.
        if i and i % 60 == 0:
            self.engine.admin("POST", "/clock/advance", {"seconds": self.g.pick([11, 61, 400, 90000])})

    def send(self, req: Req) -> Optional[Outcome]:
        if req.variant in lifecycle.CHECK_VARIANTS:
            pass  # the checks' own requests stay plain
        elif self.g.chance(0.04):
            # Parameters nobody asked for, or a broken query string.
            junk = self.g.pick(
                ["sandbox=true", "page=0", "%ZZ=1", "a=%FF%FE", "x=" + "y" * 3000, "&&=&", "per_page[]=1"]
            )
            req.path += ("&" if "?" in req.path else "?") + junk
            req.variant += "+junk-query"
        elif req.method == "GET" and self.g.chance(0.03):
            req.method, req.variant = "HEAD", req.variant + "+head"
        return super().send(req)

    # -- errors

    def check_error(self, req: Req, out: Outcome) -> Optional[str]:
        return envelope_problem(out)

    def check_error_type(self, req: Req, out: Outcome) -> Optional[str]:
        return error_type_warning(out)

    def skip_error_check(self, req: Req, out: Outcome) -> bool:
        # The hosted form page is HTML for people; its submit endpoint answers with the envelope.
        return req.method == "HEAD" or (req.path.startswith("/form/") and not req.path.endswith("/submit"))

    # -- credentials and ids

    def pick_auth(self) -> tuple[Optional[str], dict, str]:
        """(token, headers, variant suffix). Mostly the main token; sometimes something odd."""
        r = self.g.rng.random()
        if r < 0.80:
            return "fuzz-a", token_auth("fuzz-a"), ""
        if r < 0.88:
            return "fuzz-b", token_auth("fuzz-b"), ""
        odd, headers = self.g.pick(ODD_AUTH)
        token = ODD_AUTH_TENANT.get(odd)
        if token and token not in self.ids:
            self.ids[token] = defaultdict(list)
        return token, headers, "+auth:" + odd

    def known(self, credential: Optional[str], kind: str) -> str:
        """An id to put in a path or body: usually one of `credential`'s, sometimes another's or junk."""
        r = self.g.rng.random()
        mine = self.ids.get(credential, {}).get(kind, []) if credential else []
        if r < 0.75 and mine:
            return self.g.pick(mine)
        if r < 0.85:
            other = [i for t, d in self.ids.items() if t != credential for i in d.get(kind, [])]
            if other:
                return self.g.pick(other)
        if r < 0.93:
            return self.g.hex_id()
        return self.g.bad_id()

    def remember(self, credential: Optional[str], kind: str, id_: str) -> None:
        if credential is not None:
            pool = self.ids.setdefault(credential, defaultdict(list))[kind]
            if id_ not in pool:
                pool.append(id_)

    def forget(self, credential: Optional[str], kind: str, id_: str) -> None:
        if credential in self.ids and id_ in self.ids[credential][kind]:
            self.ids[credential][kind].remove(id_)

    def read_back(self, res: crud.Resource, body: dict) -> None:
        for side in ("front_side", "back_side", "other_side_1"):
            url = body.get(side)
            if isinstance(url, str) and "/storage/" in url:
                self.storage_paths.append(url[url.index("/storage/") :])

    # -- bodies

    def mutate(self, fields: dict, id_fields: tuple = ()) -> tuple[dict, str]:
        return mutate(self.g, fields, id_fields)

    def body_req(
        self, op: str, method: str, path: str, fields: dict, tag: str, auth: dict, auth_tag: str
    ) -> Req:
        variant, headers, body, chunked = encode_body(self.g, fields)
        if self.g.chance(0.004) and self.oversized_sent < 6:
            self.oversized_sent += 1
            variant, headers, body, chunked = oversized_body(self.g, self.max_body)
            tag = "oversized"
        headers.update(auth)
        if self.g.chance(0.03):
            headers["X-Sandbox-Scenario"] = self.g.pick(
                ["kycaid-approve", "kycaid-manual-review", "no-such-scenario", "", "😀"]
            ).encode("utf-8")
        return Req(op, f"{variant}:{tag}{auth_tag}", method, path, headers, body, chunked)
