"""Create, read, update and delete for every resource a target declares in a table of `Resource`s,
each followed by the lifecycle check of its outcome (fuzzlib/lifecycle.py)."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Optional

from . import lifecycle
from .model import Req

if TYPE_CHECKING:
    from .target import Target

UPDATE_KEEP = 0.4  # the chance that an update sends a given field again


def path_segment(value: str) -> str:
    """`value` percent-encoded as one path segment, whatever it holds ("/", "..", NUL)."""
    return urllib.parse.quote(value, safe="")


@dataclass(frozen=True)
class Resource:
    """A collection at /{kind} whose items are at /{kind}/{id}."""

    kind: str
    id_field: str  # the key that names a new one in the create's answer and in its read-back
    # Valid fields of a new one: fields(target, credential). None when it is not created from fields
    # (files are uploads), so neither generic create nor update applies.
    fields: Optional[Callable[["Target", Optional[str]], dict]] = None
    owner: Optional[str] = None  # the field naming the resource this one belongs to: never updated
    id_fields: tuple[str, ...] = ()  # other fields that name resources
    update_methods: tuple[str, ...] = ("PATCH",)  # drawn from; repeat one to make it likelier
    # A valid create needs nothing else to exist, so refusing one is suspect (a warning).
    valid_is_accepted: bool = False
    # Fields of a sibling type a create sometimes carries too (a card number on a passport).
    foreign_fields: tuple[str, ...] = ()
    raw: bool = False  # reads back as the uploaded bytes rather than JSON

    @property
    def references(self) -> tuple[str, ...]:
        """The fields that name other resources: what "bad-id" mutations break."""
        return ((self.owner,) if self.owner else ()) + self.id_fields

    @property
    def path(self) -> str:
        return "/" + self.kind

    def item(self, id_: str) -> str:
        return f"/{self.kind}/" + path_segment(id_)


def create(t: "Target", res: Resource) -> None:
    credential, auth, at = t.pick_auth()
    fields, tag = t.mutate(res.fields(t, credential), res.references)
    if res.foreign_fields and t.g.chance(0.1):
        fields[t.g.pick(res.foreign_fields)] = "123412341234"
        tag += "+foreign-field"
    req = t.body_req(f"POST {res.path}", "POST", res.path, fields, tag, auth, at)
    out = t.send(req)
    lifecycle.check_created(t, res, credential, req, out)
    refused = out is not None and out.status is not None and out.status >= 400
    if res.valid_is_accepted and refused and tag == "valid" and req.variant in ("json:valid", "form:valid"):
        t.engine.report(t, "valid-rejected", req, out, "a valid create was refused")


def read(t: "Target", *choices: Resource) -> None:
    """GET one of `choices` by an id the sender probably knows."""
    credential, auth, at = t.pick_auth()
    res = t.g.pick(choices)
    t.send(Req(f"GET {res.path}/{{id}}", "get" + at, "GET", res.item(t.known(credential, res.kind)), auth))


def update(t: "Target", res: Resource) -> None:
    credential, auth, at = t.pick_auth()
    id_ = t.known(credential, res.kind)
    fresh = res.fields(t, credential)
    fields = {k: v for k, v in fresh.items() if k != res.owner and t.g.chance(UPDATE_KEEP)}
    fields, tag = t.mutate(fields, res.id_fields)
    method = t.g.pick(res.update_methods)
    req = t.body_req(f"{method} {res.path}/{{id}}", method, res.item(id_), fields, tag, auth, at)
    lifecycle.check_updated(t, res, credential, id_, req, t.send(req))


def delete(t: "Target", res: Resource) -> None:
    credential, auth, at = t.pick_auth()
    id_ = t.known(credential, res.kind)
    req = Req(f"DELETE {res.path}/{{id}}", "delete" + at, "DELETE", res.item(id_), auth)
    lifecycle.check_deleted(t, res, credential, id_, req, t.send(req))
