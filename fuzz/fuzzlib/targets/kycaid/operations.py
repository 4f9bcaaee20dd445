"""The KYCAID actions that are not plain create, read, update or delete of a resource: listing, file
uploads and storage links, verification status, hosted forms, the BDB screening endpoints, reference
data, and requests the API must refuse (wrong method, unknown route, malformed path id)."""

from __future__ import annotations

import urllib.parse
from typing import TYPE_CHECKING

from ... import lifecycle
from ...bodies import JSON, form_scalar
from ...model import Req
from ...multipart import multipart, upload_body
from ...resources import path_segment
from ...samples import JPEG, png_bytes
from .fields import trim
from .resources import FILES, RESOURCES

if TYPE_CHECKING:
    from .target import Kycaid

# The upload shapes whose file must read back byte for byte.
BYTE_EXACT_UPLOADS = ("multipart:valid", "multipart:quoted-boundary", "multipart:preamble")


def list_collection(t: Kycaid) -> None:
    """GET /applicants or /verifications with page parameters, odd ones too."""
    credential, auth, at = t.pick_auth()
    kind = t.g.pick(["applicants", "verifications"])
    q = {}
    for k in ["page", "per_page"] + (["applicant_id"] if kind == "verifications" else []):
        if t.g.chance(0.6):
            q[k] = (
                t.g.pick(
                    [
                        "1",
                        "2",
                        "0",
                        "-1",
                        "100",
                        "101",
                        "99999999999999999999",
                        "abc",
                        "",
                        "1.5",
                        " 1",
                        "١",
                    ]
                )
                if k != "applicant_id"
                else t.known(credential, "applicants")
            )
    if t.g.chance(0.1):
        q["page"] = ["1", "2"]
    query = urllib.parse.urlencode(q, doseq=True)
    t.send(Req(f"GET /{kind}", "list" + at, "GET", f"/{kind}" + ("?" + query if query else ""), auth))


def upload_file(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    variant, headers, body, chunked, data = upload_body(t.g)
    if t.g.chance(0.004) and t.oversized_sent < 6:
        t.oversized_sent += 1
        boundary = "big" + t.g.hex_id(8)
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        body = multipart(
            [("file", "big.png", "image/png", png_bytes() + b"\x00" * (t.max_body + 10))], boundary
        )
        variant, chunked, data = "multipart:oversized", t.g.chance(0.5), None
    headers.update(auth)
    req = Req("POST /files", variant + at, "POST", "/files", headers, body, chunked)
    uploaded = data if variant in BYTE_EXACT_UPLOADS else None
    lifecycle.check_created(t, FILES, credential, req, t.send(req), uploaded)


def get_file(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    fid = t.known(credential, "files")
    path = FILES.item(fid)
    if t.g.chance(0.3):
        # The storage URLs documents show (/storage/{tenant}/{id}, no token needed), or broken ones.
        if t.storage_paths and t.g.chance(0.6):
            path = t.g.pick(t.storage_paths)
            if t.g.chance(0.3):
                path = (
                    path.rsplit("/", 1)[0]
                    + "/"
                    + path_segment(t.g.pick([t.g.hex_id(), t.g.bad_id()]))
                )
        else:
            tenant = t.g.pick(["kycaid-" + t.g.hex_id(12), t.g.bad_id()])
            path = f"/storage/{path_segment(tenant)}/{path_segment(fid)}"
    t.send(Req("GET /files/{id}", "get" + at, "GET", path, auth))


def replace_file(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    fid = t.known(credential, "files")
    variant, headers, body, chunked, _ = upload_body(t.g)
    headers.update(auth)
    t.send(Req("PUT /files/{id}", variant + at, "PUT", FILES.item(fid), headers, body, chunked))


def set_verification_status(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    vid = t.known(credential, "verifications")
    f = {
        "verification_status": t.g.pick(["approved", "declined", "APPROVED", "pending"]),
        "callback_enabled": t.g.pick([True, False, "true", "yes"]),
        "project_owner_email_enabled": False,
        "applicant_email_enabled": False,
    }
    fields, tag = t.mutate(trim(t.g, f, keep=["verification_status"]))
    path = f"/verifications/{path_segment(vid)}/status"
    t.send(t.body_req("POST /verifications/{id}/status", "POST", path, fields, tag, auth, at))


def form_url(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    g = t.g
    form_id = g.pick([g.hex_id(), g.hex_id(), g.bad_id()])
    f = {
        "applicant_id": t.known(credential, "applicants"),
        "external_applicant_id": g.pick(["ext-" + g.hex_id(6), "x" * 51]),
        "redirect_url": g.pick(["http://127.0.0.1:9/done", "javascript:alert(1)", ""]),
    }
    fields, tag = t.mutate(trim(g, f, keep=[]))
    path = f"/forms/{path_segment(form_id)}/urls"
    req = t.body_req("POST /forms/{form_id}/urls", "POST", path, fields, tag, auth, at)
    out = t.send(req)
    if out is not None and out.succeeded:
        try:
            t.form_tokens.append(out.json()["form_token"])
        except Exception:
            t.engine.flag(t, "bad-json-2xx", req, out, "2xx without form_token")


def form_submit(t: Kycaid) -> None:
    g = t.g
    tok = g.pick(t.form_tokens) if t.form_tokens and g.chance(0.85) else g.pick([g.hex_id(), g.bad_id()])
    if g.chance(0.3):
        query = g.pick(["", "?sandbox_scenario=kycaid-manual-review", "?sandbox_scenario=%00"])
        t.send(Req("GET /form/{token}", "page", "GET", f"/form/{path_segment(tok)}{query}", {}))
        return
    fields = {
        "first_name": "Jane",
        "last_name": g.pick(["Roe", "Decline"]),
        "dob": g.date(),
        "email": g.email(),
        "residence_country": g.pick(t.countries),
        "document_type": g.pick(["PASSPORT", "DRIVERS_LICENSE", "SELFIE_IMAGE", "nope"]),
        "document_number": g.pick(["AB123", "0000"]),
        "country": g.pick(t.countries),
        "city": "Kyiv",
        "postal_code": "01001",
        "full_address": "1 Fuzz Street",
    }
    fields, tag = t.mutate(trim(g, fields, keep=[]))
    extra = [
        (k, None, None, form_scalar(v).encode("utf-8", "surrogatepass"))
        for k, v in fields.items()
        if not isinstance(v, (dict, list))
    ]
    extra += [("selfie", "selfie.jpg", "image/jpeg", JPEG)] if g.chance(0.7) else []
    extra += (
        [("back_side", "", "application/octet-stream", b"")] if g.chance(0.3) else []
    )  # an empty file input
    variant, headers, body, chunked, _ = upload_body(g, "front_side", extra)
    path = f"/form/{path_segment(tok)}/submit"
    t.send(Req("POST /form/{token}/submit", f"{variant}:{tag}", "POST", path, headers, body, chunked))


def bdb(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    g = t.g
    if g.chance(0.5):
        f = g.pick(
            [
                {"full_name": g.pick(["Ivan Sanctioned", "Jane Roe", ""])},
                {"first_name": "Ivan", "last_name": "Sanctioned"},
                {},
            ]
        )
        if g.chance(0.3):
            f["bdb_types"] = g.pick([["SANCTIONS"], [], "SANCTIONS", [1]])
        path = "/bdb/persons"
    else:
        f = {"document_number": g.pick(["SANCT0001", "AB1", ""])}
        path = "/bdb/documents"
    fields, tag = t.mutate(f)
    t.send(t.body_req("POST " + path, "POST", path, fields, tag, auth, at))


def reference(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    path = t.g.pick(["/countries", "/languages", "/business-activities"])
    if t.g.chance(0.3):
        path += "?" + t.g.pick(["lang=xx", "page=-1", "%ZZ", "a=" + "b" * 5000])
    t.send(Req("GET " + path.split("?")[0], "reference" + at, "GET", path, auth))


def wrong_method(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    path, allowed = t.g.pick(
        [
            ("/applicants", {"GET", "POST"}),
            ("/files", {"POST"}),
            ("/documents", {"POST"}),
            ("/verifications/" + t.g.hex_id() + "/status", {"POST"}),
            ("/countries", {"GET"}),
            ("/addresses/" + t.g.hex_id(), {"GET", "PATCH", "DELETE"}),
        ]
    )
    method = t.g.pick(
        [
            m
            for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"]
            if m not in allowed
        ]
    )
    if method == "OPTIONS":
        return  # CORS preflight: answered by the CORS layer, not the API
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    t.send(Req(f"{method} {path.split('/')[1]}", "wrong-method" + at, method, path, auth, body))


def unknown_route(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    path = t.g.pick(
        [
            "/",
            "",
            "/applicant",
            "/applicants/" + t.g.hex_id() + "/extra",
            "/v2/applicants",
            "/files/",
            "/%2e%2e/%2e%2e/__admin/health",
            "/applicants/%00",
            "//applicants",
            "/APPLICANTS",
            "/" + "a" * 9000,
            "/verifications/" + t.g.hex_id() + "/status/x",
            "/services/aml",
            "/form",
        ]
    )
    t.send(Req("GET (unknown route)", "unknown-route" + at, t.g.pick(["GET", "POST"]), path, auth))


def bad_path_id(t: Kycaid) -> None:
    credential, auth, at = t.pick_auth()
    res = t.g.pick(RESOURCES)
    method = t.g.pick(["GET", res.update_methods[0], "DELETE"])
    bad = t.g.bad_id()
    body = b"{}" if method in ("PATCH", "PUT") else None
    headers = {**auth, **(JSON if body else {})}
    t.send(Req(f"{method} {res.path}/{{id}}", "bad-path-id" + at, method, res.item(bad), headers, body))
