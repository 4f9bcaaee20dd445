"""What the Hermes fuzzer does: valid logins through to the data and pictures (held to succeed), and
hostile variants of each step (held to answer in the envelope, and warned about when they succeed)."""

from __future__ import annotations

import json
import urllib.parse
from typing import TYPE_CHECKING, Optional

from ...bodies import JSON, encode_body, json_bytes
from ...model import Outcome, Req
from .signing import CLIENT, LENIENT

if TYPE_CHECKING:
    from .target import Hermes

IDENTITIES = {"lt-id-card": "JONAS", "ee-passport": "MARI", "lv-expired": "JANIS"}
REDIRECTS = ["https://example.com/cb", "http://localhost:8080/back?x=1", "http://127.0.0.1/cb", "https://example.com"]
V1, V2 = "/mediator/api/", "/mediator/api/orpheus/v2.0/api/"


def api(t: "Hermes", call: str) -> str:
    return t.g.pick([V1, V2]) + call


def signed(t: "Hermes", op: str, variant: str, path: str, body: bytes, headers: Optional[dict] = None) -> Req:
    h = dict(JSON) if headers is None else dict(headers)
    h.update(t.signer.sign("POST", path, body))
    return Req(op, variant, "POST", path, h, body)


def authorize_path(params: dict) -> str:
    return "/authorize?" + urllib.parse.urlencode(params)


def login(t: "Hermes", kyc: bool, identity: Optional[str], redirect: str) -> Optional[str]:
    """A code from an approved login, or None (flagged)."""
    params = {"client_id": CLIENT, "redirect_uri": redirect, "state": t.g.hex_id(8)}
    if kyc:
        params["kyc_data"] = "true"
    params["sandbox_decision"] = "approve"
    if identity:
        params["sandbox_identity"] = identity
    req = Req("GET /authorize", "valid", "GET", authorize_path(params))
    out = t.send(req)
    if out is None or out.status is None:
        return None
    loc = out.headers.get("location", "")
    q = urllib.parse.parse_qs(urllib.parse.urlsplit(loc).query)
    if out.status != 302 or not loc.startswith(redirect.split("?")[0]) or q.get("state") != [params["state"]] or not q.get("code"):
        t.flow_failed(req, out, f"an approved login did not redirect to {redirect} with a code and the state")
        return None
    return q["code"][0]


def exchange(t: "Hermes", code: str, redirect: str) -> Optional[str]:
    body = json_bytes({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})
    req = signed(t, "POST get_token", "valid", api(t, "get_token"), body)
    out = t.send(req)
    t.used_codes.append(code)
    try:
        b = out.json() if out and out.succeeded else {}
        token = b.get("access_token") if b.get("status") == "OK" else None
    except (ValueError, AttributeError):
        token = None
    if not isinstance(token, str) or not token:
        t.flow_failed(req, out, 'a fresh code, signed right, did not give {"access_token", "status": "OK"}')
        return None
    t.tokens.append(token)
    return token


def data_problem(b, kyc: bool, identity: Optional[str]) -> Optional[str]:
    if not isinstance(b, dict) or b.get("status") != "success" or b.get("success") is not True:
        return 'not {"status": "success", "success": true}'
    d = b.get("data") or {}
    if not isinstance(b.get("customer_id"), str) or not all(isinstance(d.get(k), str) for k in ("first_name", "last_name", "serial_number")):
        return "no customer_id or data{first_name, last_name, serial_number}"
    if d["first_name"] != IDENTITIES.get(identity or "lt-id-card"):
        return f"first_name {d['first_name']!r} is not identity {identity or '(default)'}'s"
    if kyc != ("kyc_data" in b):
        return "kyc_data " + ("missing though the login asked for it" if kyc else "present though not asked for")
    return None


def picture_urls(b) -> list[str]:
    k = b.get("kyc_data") or {}
    pics = list(((k.get("document") or {}).get("pictures") or {}).values())
    pics.append((k.get("person_photo") or {}).get("picture") or {})
    return [p["url"] for p in pics if isinstance(p, dict) and isinstance(p.get("url"), str)]


def valid_flow(t: "Hermes") -> None:
    """authorize -> get_token -> get_data (-> a picture): every step must succeed."""
    kyc, identity, redirect = t.g.chance(0.6), t.g.pick([None, *IDENTITIES]), t.g.pick(REDIRECTS)
    code = login(t, kyc, identity, redirect)
    token = code and exchange(t, code, redirect)
    if not token:
        return
    req = signed(t, "POST get_data", "valid", api(t, "get_data"), json_bytes({"token": token}))
    out = t.send(req)
    try:
        b = out.json() if out and out.succeeded else None
    except ValueError:
        b = None
    problem = data_problem(b, kyc, identity) if out and out.succeeded else f"status {out and out.status}"
    if problem:
        t.flow_failed(req, out, "get_data with a fresh token: " + problem)
        return
    for url in picture_urls(b):
        path = urllib.parse.urlsplit(url).path
        if path.startswith(t.mount + "/pictures/"):
            t.picture_paths.append(path[len(t.mount):])
    if t.picture_paths and kyc and t.g.chance(0.5):
        req = Req("GET /pictures/{tenant}/{id}", "valid", "GET", t.picture_paths[-1])
        out = t.send(req)
        if out and out.status is not None and not (out.succeeded and out.content_type.startswith("image/")):
            t.flow_failed(req, out, "a fresh picture link from get_data is not an image")


def known_token(t: "Hermes") -> str:
    if t.tokens and t.g.chance(0.8):
        return t.g.pick(t.tokens)
    return "hermes_token_" + t.g.hex_id(43)


def live_body(t: "Hermes") -> tuple[str, str, bytes]:
    """(op, path, body) of a call that would succeed if it were signed right."""
    if t.g.chance(0.3):
        redirect = t.g.pick(REDIRECTS)
        code = login(t, t.g.chance(0.5), None, redirect) or "x"
        return "POST get_token", api(t, "get_token"), json_bytes({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})
    return "POST get_data", api(t, "get_data"), json_bytes({"token": known_token(t)})


def get_data_again(t: "Hermes") -> None:
    t.send(signed(t, "POST get_data", "valid:again", api(t, "get_data"), json_bytes({"token": known_token(t)})))


def hostile_auth(t: "Hermes") -> None:
    op, path, body = live_body(t)
    kind, auth = t.signer.hostile("POST", path, body)
    req = Req(op, "auth:" + kind, "POST", path, {**JSON, **auth}, body)
    out = t.send(req)
    if kind not in LENIENT:
        t.accepted(req, out, f"a request with a {kind} Authorization header was accepted")


def reused_nonce(t: "Hermes") -> None:
    path, body = api(t, "get_data"), json_bytes({"token": known_token(t)})
    first = signed(t, "POST get_data", "valid:nonce-first", path, body)
    t.send(first)
    again = Req("POST get_data", "auth:reused-nonce", "POST", path, dict(first.headers), body)
    t.accepted(again, t.send(again), "the same nonce (same header) was accepted twice")


def mutate(t: "Hermes", fields: dict) -> tuple[dict, str]:
    f, tags = dict(fields), []
    for _ in range(t.g.rng.randint(1, 3)):
        op, keys = t.g.pick(["drop", "wrong-type", "weird-string", "null", "unknown-field"]), list(f)
        if op == "unknown-field" or not keys:
            f[t.g.pick(["scope", "__proto__", "", "😀", "x" * 300])], op = t.g.wrong_type(), "unknown-field"
        elif op == "drop":
            f.pop(t.g.pick(keys))
        elif op == "wrong-type":
            k = t.g.pick(keys)
            f[k] = t.g.wrong_type(f[k])
        else:
            f[t.g.pick(keys)] = t.g.weird_string() if op == "weird-string" else None
        tags.append(op)
    return f, "mutated:" + "+".join(sorted(set(tags)))


def hostile_body(t: "Hermes") -> None:
    """Correctly signed, over a body that is broken: missing fields, wrong types, huge strings, bad JSON."""
    if t.g.chance(0.5):
        op, path, fields = "POST get_data", api(t, "get_data"), {"token": known_token(t)}
    else:
        op, path = "POST get_token", api(t, "get_token")
        fields = {"grant_type": "authorization_code", "code": t.g.hex_id(43), "redirect_uri": t.g.pick(REDIRECTS)}
    fields, tag = mutate(t, fields)
    variant, headers, body, chunked = encode_body(t.g, fields)
    req = signed(t, op, f"{variant}:{tag}", path, body or b"", headers)
    req.chunked = chunked
    t.send(req)


def bad_code(t: "Hermes") -> None:
    """get_token with a code that must not work: unknown, used, for another redirect_uri, or with the wrong grant_type."""
    redirect = t.g.pick(REDIRECTS)
    kind = t.g.pick(["unknown", "used", "wrong-redirect", "wrong-grant"])
    grant, code = "authorization_code", None
    if kind == "unknown":
        code = t.g.pick([t.g.hex_id(43), "", " ", t.g.bad_id()])
    elif kind == "used" and t.used_codes:
        code = t.g.pick(t.used_codes)
    else:
        kind = "used" if kind == "used" else kind
        code = login(t, False, None, redirect)
        if code is None:
            return
        if kind == "used":
            exchange(t, code, redirect)
        elif kind == "wrong-redirect":
            redirect = t.g.pick([r for r in REDIRECTS if r != redirect] + [redirect + "/x", redirect.upper(), ""])
        else:
            grant = t.g.pick(["client_credentials", "refresh_token", "", "AUTHORIZATION_CODE", "authorization_code "])
    body = json_bytes({"grant_type": grant, "code": code, "redirect_uri": redirect})
    req = signed(t, "POST get_token", "code:" + kind, api(t, "get_token"), body)
    t.accepted(req, t.send(req), f"get_token with a {kind} code was accepted")


def expired(t: "Hermes") -> None:
    """A code past its 5 minutes, or a picture link past its 10 (the sandbox clock moved)."""
    redirect = t.g.pick(REDIRECTS)
    code = login(t, True, None, redirect)
    if code is None:
        return
    if t.g.chance(0.5):
        t.engine.admin("POST", "/clock/advance", {"seconds": 301})
        body = json_bytes({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect})
        req = signed(t, "POST get_token", "code:expired", api(t, "get_token"), body)
        t.accepted(req, t.send(req), "get_token with a code older than 5 minutes was accepted")
        return
    exchange(t, code, redirect)
    if t.picture_paths:
        t.engine.admin("POST", "/clock/advance", {"seconds": 601})
        req = Req("GET /pictures/{tenant}/{id}", "picture:expired", "GET", t.picture_paths[-1])
        t.accepted(req, t.send(req), "a picture link older than 10 minutes still served")


def unknown_token(t: "Hermes") -> None:
    token = t.g.pick(["hermes_token_" + t.g.hex_id(43), "", t.g.bad_id(), t.g.weird_string(), t.g.pick(t.used_codes or ["x"])])
    req = signed(t, "POST get_data", "token:unknown", api(t, "get_data"), json_bytes({"token": token}))
    t.accepted(req, t.send(req), "get_data with an unknown token was accepted")


def pictures(t: "Hermes") -> None:
    r = t.g.rng.random()
    if r < 0.3 and t.picture_paths:
        path, variant = t.g.pick(t.picture_paths), "picture:known"
    elif r < 0.6 and t.picture_paths:
        tenant, _ = t.g.pick(t.picture_paths)[len("/pictures/"):].split("/", 1)
        path, variant = f"/pictures/{tenant}/{urllib.parse.quote(t.g.bad_id(), safe='')}", "picture:bad-id"
    else:
        seg = lambda: t.g.pick([t.g.hex_id(12), CLIENT, "..", "%2e%2e", "%00", "😀", "x" * 3000, ""])
        path = t.g.pick([f"/pictures/{seg()}/{seg()}", f"/pictures/{seg()}", "/pictures/", f"/pictures/{seg()}/{seg()}/{seg()}"])
        path, variant = urllib.parse.quote(path, safe="/%"), "picture:random"
    method = t.g.pick(["GET"] * 6 + ["HEAD", "POST", "DELETE"])
    t.send(Req("GET /pictures/{tenant}/{id}", variant + ("" if method == "GET" else "+" + method), method, path))


AUTHORIZE_BAD = {
    "client_id": ["no-such-client", "", "DEMO-CLIENT", "demo-client\u0000", "😀", "a" * 5000],
    "redirect_uri": ["https://evil.example/cb", "javascript:alert(1)", "", "example.com/cb", "http://localhost.evil.example/",
                     "https://example.com.evil.example/", "//evil.example", "https://example.com@evil.example/", "x" * 9000],
    "sandbox_decision": ["decline", "", "APPROVE", "maybe", "approve\u0000", "😀"],
    "sandbox_identity": ["no-such-identity", "", "LT-ID-CARD", "../lt-id-card", "x" * 3000],
    "state": ["", "a&b=c", "<script>", "😀", "s" * 9000],
    "kyc_data": ["false", "1", "yes", "", "TRUE", "[]"],
}


def authorize_fuzz(t: "Hermes") -> None:
    """/authorize with bad or missing parameters: a 302 (to a registered redirect) or an HTML page."""
    params = {"client_id": CLIENT, "redirect_uri": t.g.pick(REDIRECTS), "state": "s", "kyc_data": "true"}
    if t.g.chance(0.7):
        params["sandbox_decision"] = "approve"
    tags = []
    for _ in range(t.g.rng.randint(1, 2)):
        k = t.g.pick(list(AUTHORIZE_BAD))
        if t.g.chance(0.2):
            params.pop(k, None)
            tags.append("no-" + k)
        else:
            params[k] = t.g.pick(AUTHORIZE_BAD[k])
            tags.append(k)
    method = t.g.pick(["GET"] * 5 + ["HEAD", "POST"])
    req = Req(f"{method} /authorize", "authorize:" + "+".join(sorted(set(tags))), method, authorize_path(params))
    out = t.send(req)
    if out and out.status in (301, 302, 303, 307, 308):
        host = urllib.parse.urlsplit(out.headers.get("location", "")).hostname
        if host not in ("localhost", "127.0.0.1", "example.com"):
            t.engine.flag(t, "open-redirect", req, out, f"redirects to host {host!r}, not a registered redirect base")


def wrong_route(t: "Hermes") -> None:
    path = t.g.pick([V1 + "get_token", V2 + "get_data", V1 + "nope", "/mediator/api/orpheus/v1.0/api/get_data", "/nope", V1])
    method = t.g.pick(["GET", "PUT", "DELETE", "PATCH", "POST"])
    body = b"{}" if method != "GET" else None
    auth = t.signer.sign(method, path, body or b"")
    t.send(Req(f"{method} other", "route", method, path, {**JSON, **auth} if body else auth, body))
