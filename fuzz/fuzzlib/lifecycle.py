"""What a success must leave behind: a create reads back (an upload byte for byte), an update leaves
the resource readable, a delete makes it gone. Each check sends its own GET, with the credentials of
the request it checks."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .model import Outcome, Req

if TYPE_CHECKING:
    from .resources import Resource
    from .target import Target

# The variants of the checks' own requests, which targets send as they are (no random extras).
CHECK_VARIANTS = ("readback", "after-update", "after-delete")


def get_again(t: "Target", res: "Resource", id_: str, variant: str, checked: Req) -> Optional[Outcome]:
    return t.send(Req(f"GET {res.path}/{{id}}", variant, "GET", res.item(id_), t.credentials(checked)))


def named_id(out: Outcome, res: "Resource") -> Optional[str]:
    """The id an answer names in the resource's id field, if it is a non-empty string."""
    try:
        value = out.json()[res.id_field]
    except Exception:
        return None
    return value if isinstance(value, str) and value else None


def check_created(
    t: "Target",
    res: "Resource",
    credential: Optional[str],
    req: Req,
    out: Optional[Outcome],
    uploaded: Optional[bytes] = None,
) -> Optional[str]:
    """After a create: a 2xx must name an id that reads back. Returns the new id."""
    if out is None or not out.succeeded:
        return None
    key = res.id_field
    new_id = named_id(out, res)
    if new_id is None:
        t.engine.flag(t, "bad-json-2xx", req, out, f"2xx create without a string `{key}`")
        return None
    back = get_again(t, res, new_id, "readback", req)
    if back is None or back.status is None:
        return new_id
    if back.status != 200:
        detail = f"created {key} {new_id} but GET {res.path}/{new_id} answered {back.status}"
        t.engine.flag(t, "readback", req, back, detail)
        return new_id
    if res.raw:
        if uploaded is not None and back.body != uploaded:
            detail = f"file {new_id} reads back {len(back.body)} bytes, uploaded {len(uploaded)}"
            t.engine.flag(t, "readback", req, back, detail)
    else:
        try:
            body = back.json()
            got = body.get(key)
        except Exception:
            body, got = None, None
        if isinstance(body, dict):
            t.read_back(res, body)
        if got != new_id:
            t.engine.flag(t, "readback", req, back, f"GET {res.path}/{new_id} shows {key}={got!r}")
    t.remember(credential, res.kind, new_id)
    return new_id


def check_updated(
    t: "Target", res: "Resource", credential: Optional[str], id_: str, req: Req, out: Optional[Outcome]
) -> None:
    """After a 2xx update, the resource must still read. An update may answer with a new id (KYCAID
    copies an address that a completed verification uses): that one is read, and known from then on."""
    if out is None or not out.succeeded:
        return
    current = named_id(out, res) or id_
    if current != id_:
        t.remember(credential, res.kind, current)
    back = get_again(t, res, current, "after-update", req)
    if back is not None and back.status not in (None, 200):
        detail = f"update answered {out.status} but GET answered {back.status}"
        t.engine.flag(t, "readback", req, back, detail)


def check_deleted(
    t: "Target", res: "Resource", credential: Optional[str], id_: str, req: Req, out: Optional[Outcome]
) -> None:
    """After a 2xx delete, the resource must read as 404."""
    if out is None or not out.succeeded:
        return
    back = get_again(t, res, id_, "after-delete", req)
    if back is not None and back.status is not None and back.status != 404:
        detail = f"DELETE answered {out.status} but GET answered {back.status}"
        t.engine.flag(t, "delete-not-effective", req, back, detail)
    t.forget(credential, res.kind, id_)
