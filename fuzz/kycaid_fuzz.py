#!/usr/bin/env python3
"""Seeded random fuzzer for kyc-sandbox's providers that publish no OpenAPI document (KYCAID today).

Schemathesis covers Rebilly and Sumvin from their specs; KYCAID has no machine-readable spec, so this
script drives it with a `random.Random(seed)` stream of valid and broken requests and checks:

- no 5xx, ever;
- no request hangs: every request has a client timeout (default 5 s) and a timeout is a failure;
- the connection is never dropped without an HTTP response;
- every error (4xx) body is the provider's envelope, served as JSON (KYCAID:
  `{"type": ..., "errors": [{"parameter", "message"}]}`);
- every 2xx create can be read back (files byte for byte), and a 2xx delete really deletes;
- the server is still alive at the end.

Same seed, same server seed, same requests: a finding reproduces with `--seed` and the printed curl.
A request shape (operation and body kind) that timed out is quarantined (not sent again, counted as
skipped), so a known hang costs one timeout instead of dozens; `--quarantine-after N` changes that.

Targets live in a registry (`@register`): a new provider (Hermes, Qolo) subclasses `Target`, sets
`name`/`mount`, implements `auth_headers`, `check_error` and `actions`, and is selected with
`--targets`.

    python fuzz/kycaid_fuzz.py --base-url http://127.0.0.1:4747 --seed 7 --requests 1500

A second mode summarises a schemathesis run (used by scripts/fuzz.sh):

    python fuzz/kycaid_fuzz.py st-summary --name rebilly --ndjson FILE --json FILE [--server-log FILE]
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import os
import random
import re
import shlex
import struct
import sys
import time
import urllib.parse
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Callable, Optional

import requests

# --------------------------------------------------------------------------------------------------
# Requests, outcomes, findings


@dataclass
class Req:
    """One request, as sent. `path` is under the target's mount, already percent-encoded."""

    op: str  # the operation, e.g. "POST /applicants": findings are grouped by it
    variant: str  # how the request was built, e.g. "json:wrong-type", "multipart:no-closing-boundary"
    method: str
    path: str
    headers: dict = field(default_factory=dict)
    body: Optional[bytes] = None
    chunked: bool = False  # send the body with Transfer-Encoding: chunked


@dataclass
class Outcome:
    status: Optional[int]
    headers: dict
    body: bytes
    elapsed: float
    error: Optional[str] = None  # "timeout" or "no-response: ..."

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self):
        return json.loads(self.body)


@dataclass
class Finding:
    kind: str  # 5xx, timeout, no-response, bad-envelope, readback, ...
    severity: str  # "fail" or "warn"
    op: str
    variant: str
    status: Optional[int]
    detail: str
    curl: str
    response: str
    count: int = 1


# Findings that fail a run; anything else is reported as a warning.
FAILING_KINDS = {
    "5xx",
    "timeout",
    "no-response",
    "bad-envelope",
    "bad-json-2xx",
    "readback",
    "delete-not-effective",
    "server-died",
}


# --------------------------------------------------------------------------------------------------
# Shell quoting for the reproducing curl commands


def shq(value) -> str:
    """Quotes str or bytes for bash; non-printable bytes become a $'\\xHH' string."""
    if isinstance(value, str):
        raw = value.encode("utf-8", "surrogatepass")
    else:
        raw = value
    try:
        text = raw.decode("utf-8")
        if all(c.isprintable() for c in text):
            return shlex.quote(text)
    except UnicodeDecodeError:
        pass
    out = []
    for b in raw:
        c = chr(b)
        if c == "'" or c == "\\":
            out.append("\\" + c)
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\x%02x" % b)
    return "$'" + "".join(out) + "'"


# --------------------------------------------------------------------------------------------------
# The engine: sends requests, applies the common checks, keeps counts and findings


def shape_of(variant: str) -> str:
    """How a request's body was built, whatever its auth or field mutations:
    "multipart:no-closing-boundary+auth:none" -> "multipart:no-closing-boundary"."""
    return ":".join(variant.split("+")[0].split(":")[:2])


class Engine:
    def __init__(
        self,
        base_url: str,
        timeout: float,
        artifacts: Optional[str],
        verbose: bool,
        quarantine_after: int = 1,
    ):
        self.base_url = base_url.rstrip("/")
        self.quarantine_after = quarantine_after
        self.timeout = timeout
        self.artifacts = artifacts
        self.verbose = verbose
        self.session = requests.Session()
        self.session.trust_env = False  # never a proxy: the sandbox is on loopback
        self.stats: dict[str, Counter] = defaultdict(Counter)
        self.findings: dict[tuple, Finding] = {}
        self.timeouts_by_shape: Counter = Counter()
        self.server_dead = False
        self._artifact_n = 0

    # -- sending

    def url(self, target: "Target", path: str) -> str:
        return self.base_url + target.mount + path

    def send(self, target: "Target", req: Req) -> Optional[Outcome]:
        """Sends one request and applies the checks every response gets. None when skipped."""
        stats = self.stats[target.name]
        shape = (target.name, req.op, shape_of(req.variant))
        if self.server_dead:
            stats["skipped"] += 1
            return None
        if self.quarantine_after and self.timeouts_by_shape[shape] >= self.quarantine_after:
            stats["skipped"] += 1  # quarantined: this shape hung already
            return None
        stats["requests"] += 1
        url = self.url(target, req.path)
        data = req.body
        headers = dict(req.headers)
        if req.chunked and data is not None:
            body = data
            data = (body[i : i + 4096] for i in range(0, max(len(body), 1), 4096))
        prepared = self.session.prepare_request(requests.Request(req.method, url, headers=headers, data=data))
        started = time.monotonic()
        try:
            resp = self.session.send(prepared, timeout=(self.timeout, self.timeout), allow_redirects=False)
            out = Outcome(
                resp.status_code,
                {k.lower(): v for k, v in resp.headers.items()},
                resp.content,
                time.monotonic() - started,
            )
        except requests.exceptions.Timeout:
            out = Outcome(None, {}, b"", time.monotonic() - started, "timeout")
        except requests.exceptions.RequestException as e:
            out = Outcome(None, {}, b"", time.monotonic() - started, f"no-response: {e!r}"[:300])
        if self.verbose:
            print(
                f"  {req.method} {req.path[:80]} [{req.variant}] -> {out.status or out.error}"
                f" {out.elapsed * 1000:.0f}ms",
                file=sys.stderr,
            )
        if out.status is not None:
            if out.status < 500:
                stats[f"{out.status // 100}xx"] += 1
            elif out.status in target.limit_statuses:
                stats[str(out.status)] += 1
            if (
                200 <= out.status < 300
                and out.content_type.split(";")[0].strip().lower() == "application/json"
                and req.method != "HEAD"
            ):
                try:
                    json.loads(out.body)
                except ValueError:
                    stats["bad-json-2xx"] += 1
                    self.report(
                        target, "bad-json-2xx", req, out, "a 2xx application/json body that is not JSON"
                    )
            if out.status >= 500 and out.status not in target.limit_statuses:
                stats["5xx"] += 1
                self.report(target, "5xx", req, out, f"server error {out.status}")
            elif out.status >= 400 and not target.skip_error_check(req, out):
                # 4xx, and the documented limit answers (507 when the upload store is full),
                # must come in the provider's envelope.
                problem = target.check_error(req, out)
                if problem:
                    stats["bad-envelope"] += 1
                    self.report(target, "bad-envelope", req, out, problem)
                else:
                    warning = target.check_error_type(req, out)
                    if warning:
                        self.report(target, "error-type", req, out, warning)
        elif out.error == "timeout":
            stats["timeouts"] += 1
            self.timeouts_by_shape[shape] += 1
            self.report(target, "timeout", req, out, f"no answer within {self.timeout}s")
            self.check_alive(target, req)
        else:
            stats["no-response"] += 1
            self.report(target, "no-response", req, out, out.error or "")
            self.check_alive(target, req)
        return out

    def check_alive(self, target: "Target", req: Optional[Req]) -> bool:
        try:
            self.session.get(self.base_url + "/__admin/health", timeout=self.timeout)
            return True
        except requests.exceptions.RequestException as e:
            if not self.server_dead:
                self.server_dead = True
                self.stats[target.name]["server-died"] += 1
                dummy = req or Req("-", "-", "GET", "/")
                self.report(
                    target,
                    "server-died",
                    dummy,
                    Outcome(None, {}, b"", 0.0, repr(e)),
                    "the server stopped answering /__admin/health after this request",
                )
            return False

    def admin(self, method: str, path: str, body=None) -> Optional[requests.Response]:
        """A call to the admin API: not fuzzed, not counted."""
        try:
            return self.session.request(
                method, self.base_url + "/__admin" + path, json=body, timeout=self.timeout
            )
        except requests.exceptions.RequestException:
            return None

    # -- findings

    def report(self, target: "Target", kind: str, req: Req, out: Outcome, detail: str):
        severity = "fail" if kind in FAILING_KINDS else "warn"
        # One finding per operation, body kind and status; the first example is kept, the rest counted.
        key = (target.name, kind, req.op, shape_of(req.variant), out.status)
        found = self.findings.get(key)
        if found:
            found.count += 1
            return
        self.findings[key] = Finding(
            kind=kind,
            severity=severity,
            op=f"{target.name} {req.op}",
            variant=req.variant,
            status=out.status,
            detail=detail,
            curl=self.curl(target, req),
            response=self.describe(out),
        )

    @staticmethod
    def describe(out: Outcome) -> str:
        if out.status is None:
            return f"(no response: {out.error}, after {out.elapsed:.1f}s)"
        body = out.body[:600]
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            text = repr(body)
        more = f" ... ({len(out.body)} bytes)" if len(out.body) > 600 else ""
        return f"{out.status} content-type: {out.content_type or '(none)'}\n{text}{more}"

    def curl(self, target: "Target", req: Req) -> str:
        """A bash command that sends `req` again (each piece already quoted)."""
        parts = ["curl -sS -i --max-time 10"]
        parts.append("-I" if req.method == "HEAD" else "-X " + shq(req.method))
        has_ct = False
        for k, v in req.headers.items():
            has_ct |= k.lower() == "content-type"
            raw = v if isinstance(v, bytes) else v.encode("utf-8")
            parts.append("-H " + shq(k.encode() + b": " + raw))
        if req.body is not None:
            if not has_ct:
                parts.append("-H 'Content-Type:'")  # else curl adds a form content type
            if req.chunked:
                parts.append("-H 'Transfer-Encoding: chunked'")
            parts.append("--data-binary " + self.body_arg(req.body))
        elif req.method in ("POST", "PUT", "PATCH"):
            parts.append("-H 'Content-Length: 0'")
        parts.append(shq(self.url(target, req.path)))
        return " ".join(parts)

    def body_arg(self, body: bytes) -> str:
        printable = False
        try:
            text = body.decode("utf-8")
            printable = all(c.isprintable() or c in "\r\n\t" for c in text)
        except UnicodeDecodeError:
            pass
        if len(body) <= 1500 and (printable or len(body) <= 300):
            return shq(body)
        if self.artifacts:
            os.makedirs(self.artifacts, exist_ok=True)
            self._artifact_n += 1
            path = os.path.join(os.path.abspath(self.artifacts), f"body-{self._artifact_n:04d}.bin")
            with open(path, "wb") as f:
                f.write(body)
            return "@" + shlex.quote(path)
        return f"@BODY-{len(body)}-bytes-not-saved(use --artifacts DIR)"


# --------------------------------------------------------------------------------------------------
# Random data shared by every target


def png_bytes(w: int = 1, h: int = 1) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * w for _ in range(h))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xc0\x00\x0b\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    b"\xff\xda\x00\x08\x01\x01\x00\x00?\x00\xd2\xcf \xff\xd9"
)
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"

WEIRD_STRINGS = [
    "",
    " ",
    "\t\n",
    "null",
    "undefined",
    "0",
    "-1",
    "1e309",
    "NaN",
    "true",
    "Zoë Ångström",
    "İstanbul ıi",
    "Ⅻ ǅ ß ﬃ",
    "日本語テキスト",
    "مرحبا بالعالم",
    "שָׁלוֹם",
    "😀👨‍👩‍👧‍👦🏳️‍🌈",
    "e\u0301\u0301\u0301\u0301",
    "zero\u200bwidth\u200d",
    "\u202eRTL override",
    "nul\u0000byte",
    "ctrl\u0001\u0007\u001b[31m",
    "line\r\nbreak",
    "\ufeffbom",
    "\uffff\ufffe",
    "'; DROP TABLE applicants; --",
    "<script>alert(1)</script>",
    "{{7*7}}",
    "${jndi:ldap://127.0.0.1/x}",
    "../../../../etc/passwd",
    "%00%2e%2e%2f",
    "a" * 65,
    "A" * 300,
    "Ａｎｎａ",  # full-width
    "\U0001d400\U0001d401",  # mathematical bold
]


class Gen:
    """Random values; every target draws from the same seeded stream."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def pick(self, seq):
        return self.rng.choice(seq)

    def weird_string(self) -> str:
        r = self.rng.random()
        if r < 0.6:
            return self.pick(WEIRD_STRINGS)
        if r < 0.8:
            n = self.pick([256, 1024, 4096, 65536])
            return self.pick(["A", "é", "😀", "0"]) * n
        if r < 0.95:
            return "".join(chr(self.rng.randint(1, 0x2FFF)) for _ in range(self.rng.randint(1, 40)))
        return "X" * self.pick([1 << 20, 3 << 20])  # 1 to 3 MiB: big but under --max-body

    def wrong_type(self, like=None):
        options = [
            None,
            True,
            False,
            0,
            -1,
            2**63,
            -(2**64),
            1.5,
            1e308,
            [],
            ["a", 1],
            {},
            {"nested": {"deeper": [1, 2, {"x": None}]}},
            "",
        ]
        if not isinstance(like, str):
            options.append(self.weird_string())
        return self.pick(options)

    def date(self) -> str:
        return "%04d-%02d-%02d" % (
            self.rng.randint(1930, 2005),
            self.rng.randint(1, 12),
            self.rng.randint(1, 28),
        )

    def future_date(self) -> str:
        return "%04d-%02d-%02d" % (self.rng.randint(2027, 2035), self.rng.randint(1, 12), 1)

    def bad_date(self) -> str:
        return self.pick(
            [
                "2000-02-30",
                "0000-00-00",
                "2024-13-01",
                "1900-01-01T00:00:00",
                "-001-01-01",
                "99999-01-01",
                "01/02/2000",
                "2000-1-1",
                "2000-01-01 ",
                "２０００-０１-０１",
                "",
                "yesterday",
            ]
        )

    def hex_id(self, n: int = 36) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def bad_id(self) -> str:
        return self.pick(
            [
                self.hex_id(35),
                self.hex_id(37),
                self.hex_id().upper(),
                self.hex_id(34) + "zz",
                "0" * 36,
                "",
                " ",
                "null",
                "-1",
                "../" * 3,
                "..",
                "%2e%2e",
                "a/b",
                "😀" * 9,
                "x" * 5000,
                self.hex_id() + "\u0000",
                self.hex_id() + "?x=1",
                "%00",
            ]
        )

    def email(self) -> str:
        tag = self.pick(
            ["", "", "", "+manual", "+unused", "+resubmit", "+aml-hit", "+facial-mismatch", "+slow"]
        )
        return f"user{self.rng.randint(1, 99999)}{tag}@example.com"


# --------------------------------------------------------------------------------------------------
# Body encoders: one dict of fields becomes JSON, a form, or something broken


def form_encode(fields: dict) -> bytes:
    pairs = []
    for k, v in fields.items():
        if isinstance(v, list):
            for item in v:
                pairs.append((f"{k}[]", form_scalar(item)))
        elif isinstance(v, dict):
            for kk, vv in v.items():
                pairs.append((f"{k}[{kk}]", form_scalar(vv)))
        else:
            pairs.append((k, form_scalar(v)))
    return urllib.parse.urlencode(pairs, encoding="utf-8", errors="surrogatepass").encode()


def form_scalar(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def json_bytes(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8", "surrogatepass")


JSON = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def encode_body(g: Gen, fields: dict) -> tuple[str, dict, Optional[bytes], bool]:
    """(variant, headers, body, chunked) for a body that should carry `fields`."""
    r = g.rng.random()
    if r < 0.55:
        return "json", dict(JSON), json_bytes(fields), g.chance(0.05)
    if r < 0.75:
        return "form", dict(FORM), form_encode(fields), g.chance(0.05)
    return broken_body(g, fields)


def broken_body(g: Gen, fields: dict) -> tuple[str, dict, Optional[bytes], bool]:
    text = json_bytes(fields)
    kind = g.pick(
        [
            "truncated-json",
            "trailing-garbage",
            "invalid-utf8",
            "lone-surrogate",
            "non-object",
            "empty-json",
            "deep-nesting",
            "huge-number",
            "duplicate-keys",
            "bom",
            "wrong-content-type",
            "no-content-type",
            "charset-param",
            "utf16",
            "bad-form",
            "gzip-garbage",
            "gzip-valid",
            "chunked-json",
            "null-body-json",
            "comments",
        ]
    )
    h = dict(JSON)
    if kind == "truncated-json":
        cut = g.rng.randint(0, max(len(text) - 1, 0))
        return "json:" + kind, h, text[:cut], False
    if kind == "trailing-garbage":
        return "json:" + kind, h, text + g.pick([b"}", b",", b"garbage", b"\x00", b"{}"]), False
    if kind == "invalid-utf8":
        return "json:" + kind, h, b'{"first_name": "\xff\xfe\xc3\x28", "type": "PERSON"}', False
    if kind == "lone-surrogate":
        return (
            "json:" + kind,
            h,
            b'{"type": "PERSON", "first_name": "\\ud800\\udbff", "last_name": "\\udc00"}',
            False,
        )
    if kind == "non-object":
        return "json:" + kind, h, g.pick([b"[]", b"[{}]", b'"PERSON"', b"1", b"null", b"true", b"-0"]), False
    if kind == "empty-json":
        return "json:" + kind, h, g.pick([b"", b"   ", b"\n", b"{}"]), False
    if kind == "deep-nesting":
        depth = g.pick([200, 5000, 100000])
        inner = b"[" * depth + b"]" * depth
        return "json:" + kind, h, b'{"type": "PERSON", "first_name": ' + inner + b"}", False
    if kind == "huge-number":
        num = g.pick(
            [
                b"1e999",
                b"-1e999",
                b"1" * 5000,
                b"0.0000000000000000000000000001e-400",
                b"-0",
                b"NaN",
                b"Infinity",
            ]
        )
        return "json:" + kind, h, b'{"type": "PERSON", "page": ' + num + b', "share": ' + num + b"}", False
    if kind == "duplicate-keys":
        return (
            "json:" + kind,
            h,
            b'{"type": "PERSON", "type": "COMPANY", "type": 3, "first_name": "A", "first_name": null}',
            False,
        )
    if kind == "bom":
        return "json:" + kind, h, b"\xef\xbb\xbf" + text, False
    if kind == "wrong-content-type":
        ct = g.pick(
            [
                "text/html",
                "application/xml",
                "multipart/form-data",
                "multipart/form-data; boundary=x",
                "application/octet-stream",
                "image/png",
                "application/x-www-form-urlencoded; charset=utf-8",
                "application/problem+json",
                "application/vnd.api+json",
                "application/json; charset=latin1",
                "APPLICATION/JSON",
                "application/json;;;",
                "application/",
                "/",
                "*/*",
                ";",
                "application/json\u00e9".encode("utf-8"),
                "text/plain",
            ]
        )
        return "json:" + kind, {"Content-Type": ct}, text, False
    if kind == "no-content-type":
        return "json:" + kind, {}, g.pick([text, form_encode(fields)]), False
    if kind == "charset-param":
        return "json:" + kind, {"Content-Type": "application/json; charset=UTF-8"}, text, False
    if kind == "utf16":
        return (
            "json:" + kind,
            {"Content-Type": "application/json; charset=utf-16"},
            json.dumps(fields).encode("utf-16"),
            False,
        )
    if kind == "bad-form":
        body = g.pick(
            [
                b"%ZZ=1&type=PERSON",
                b"type=PERSON&first_name=%FF%FE",
                b"type",
                b"=&=&&&",
                b"type=PERSON&types[]=DOCUMENT&types=FACIAL&types[x]=1",
                b"a[b][c][d]=1&type=PERSON",
                b"type=PERSON&" + b"k" * 70000 + b"=v",
                b"type=PERSON&first_name=" + b"%41" * 20000,
                b"type=PERSON;first_name=A",
                b"type=PER SON&first_name=A+B",
            ]
        )
        return "form:broken", dict(FORM), body, False
    if kind == "gzip-garbage":
        return "json:" + kind, {**JSON, "Content-Encoding": "gzip"}, text, False
    if kind == "gzip-valid":
        return (
            "json:" + kind,
            {**JSON, "Content-Encoding": g.pick(["gzip", "deflate", "br", "zstd", "identity", "x-bogus"])},
            gzip.compress(text),
            False,
        )
    if kind == "chunked-json":
        return "json:" + kind, h, text, True
    if kind == "null-body-json":
        return "json:" + kind, h, None, False
    return "json:" + kind, h, b"// comment\n" + text, False


def oversized_body(g: Gen, limit: int) -> tuple[str, dict, bytes, bool]:
    size = limit + g.pick([1, 4096, 1 << 20])
    if g.chance(0.5):
        body = b'{"type": "PERSON", "first_name": "' + b"A" * (size - 40) + b'"}'
        return "oversized:json", dict(JSON), body, g.chance(0.5)
    body = b"type=PERSON&first_name=" + b"A" * size
    return "oversized:form", dict(FORM), body, g.chance(0.5)


# -- multipart


def multipart(
    parts: list[tuple[str, Optional[str], Optional[str], bytes]],
    boundary: str,
    close: bool = True,
    nl: bytes = b"\r\n",
) -> bytes:
    """parts: (name, filename, content_type, data)."""
    out = b""
    for name, filename, ctype, data in parts:
        disp = b'Content-Disposition: form-data; name="' + name.encode("utf-8", "surrogatepass") + b'"'
        if filename is not None:
            disp += b'; filename="' + filename.encode("utf-8", "surrogatepass") + b'"'
        out += b"--" + boundary.encode() + nl + disp + nl
        if ctype:
            out += b"Content-Type: " + ctype.encode() + nl
        out += nl + data + nl
    if close:
        out += b"--" + boundary.encode() + b"--" + nl
    return out


def upload_body(
    g: Gen, field_name: str = "file", extra: Optional[list] = None
) -> tuple[str, dict, Optional[bytes], bool, Optional[bytes]]:
    """A multipart upload, valid or broken: (variant, headers, body, chunked, file bytes if valid)."""
    boundary = "----kycfuzz" + g.hex_id(16)
    ct = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    data, mime, fname = g.pick(
        [
            (png_bytes(), "image/png", "a.png"),
            (JPEG, "image/jpeg", "a.jpg"),
            (PDF, "application/pdf", "a.pdf"),
        ]
    )
    extra = extra or []
    r = g.rng.random()
    if r < 0.5:
        if g.chance(0.3):
            data = data + bytes(g.rng.getrandbits(8) for _ in range(g.pick([10, 1000, 50000])))
        return (
            "multipart:valid",
            ct,
            multipart([(field_name, fname, mime, data)] + extra, boundary),
            g.chance(0.05),
            data,
        )
    kind = g.pick(
        [
            "no-closing-boundary",
            "cut-mid-part",
            "unsupported-bytes",
            "empty-file",
            "no-filename",
            "wrong-field",
            "weird-filename",
            "control-char-filename",
            "two-files",
            "boundary-mismatch",
            "no-boundary-param",
            "quoted-boundary",
            "long-boundary",
            "lf-only",
            "preamble",
            "no-disposition",
            "json-instead",
            "empty-body",
            "gif",
            "chunked-no-closing",
        ]
    )
    v = "multipart:" + kind
    if kind == "no-closing-boundary":
        return v, ct, multipart([(field_name, fname, mime, data)] + extra, boundary, close=False), False, None
    if kind == "chunked-no-closing":
        return v, ct, multipart([(field_name, fname, mime, data)] + extra, boundary, close=False), True, None
    if kind == "cut-mid-part":
        body = multipart([(field_name, fname, mime, data)] + extra, boundary)
        return v, ct, body[: g.rng.randint(1, len(body) - 1)], False, None
    if kind == "unsupported-bytes":
        junk = g.pick(
            [b"hello world", b"<html></html>", bytes(range(256)), b"GIF87a" + b"\x00" * 10, b"\x89PNX"]
        )
        return v, ct, multipart([(field_name, "x.png", "image/png", junk)], boundary), False, None
    if kind == "empty-file":
        return v, ct, multipart([(field_name, "empty.png", "image/png", b"")], boundary), False, None
    if kind == "no-filename":
        return v, ct, multipart([(field_name, None, None, data)], boundary), False, None
    if kind == "wrong-field":
        return (
            v,
            ct,
            multipart(
                [(g.pick(["document", "", "files[]", "FILE", "file\u0000"]), fname, mime, data)], boundary
            ),
            False,
            None,
        )
    if kind == "weird-filename":
        name = g.pick(
            [
                "../../etc/passwd",
                "日本語.png",
                "😀.jpg",
                "a" * 5000 + ".png",
                "",
                ".",
                "a\\b.png",
                'q"uote.png',
                "%00.png",
                "reject-document-expired.png",
            ]
        )
        return v, ct, multipart([(field_name, name, mime, data)], boundary), False, data
    if kind == "control-char-filename":
        name = g.pick(
            [
                "a\x01b.png",
                "tab\tname.png",
                "new\nline.png",
                "cr\rname.png",
                "del\x7f.png",
                "nul\x00.png",
                "esc\x1b[0m.png",
            ]
        )
        return v, ct, multipart([(field_name, name, mime, data)], boundary), False, None
    if kind == "two-files":
        return (
            v,
            ct,
            multipart(
                [(field_name, fname, mime, data), (field_name, "b.pdf", "application/pdf", PDF)], boundary
            ),
            False,
            None,
        )
    if kind == "boundary-mismatch":
        return (
            v,
            {"Content-Type": "multipart/form-data; boundary=other"},
            multipart([(field_name, fname, mime, data)], boundary),
            False,
            None,
        )
    if kind == "no-boundary-param":
        return (
            v,
            {"Content-Type": "multipart/form-data"},
            multipart([(field_name, fname, mime, data)], boundary),
            False,
            None,
        )
    if kind == "quoted-boundary":
        return (
            v,
            {"Content-Type": f'multipart/form-data; boundary="{boundary}"'},
            multipart([(field_name, fname, mime, data)], boundary),
            False,
            data,
        )
    if kind == "long-boundary":
        b2 = "b" * 200
        return (
            v,
            {"Content-Type": f"multipart/form-data; boundary={b2}"},
            multipart([(field_name, fname, mime, data)], b2),
            False,
            None,
        )
    if kind == "lf-only":
        return v, ct, multipart([(field_name, fname, mime, data)], boundary, nl=b"\n"), False, None
    if kind == "preamble":
        return (
            v,
            ct,
            b"preamble garbage\r\n" + multipart([(field_name, fname, mime, data)], boundary) + b"epilogue",
            False,
            data,
        )
    if kind == "no-disposition":
        body = (
            b"--"
            + boundary.encode()
            + b"\r\nContent-Type: image/png\r\n\r\n"
            + data
            + b"\r\n--"
            + boundary.encode()
            + b"--\r\n"
        )
        return v, ct, body, False, None
    if kind == "json-instead":
        return v, dict(JSON), json_bytes({"file": base64.b64encode(data).decode()}), False, None
    if kind == "empty-body":
        return v, ct, b"", False, None
    if kind == "gif":
        return v, ct, multipart([(field_name, "a.gif", "image/gif", GIF)], boundary), False, None
    raise AssertionError(kind)


# --------------------------------------------------------------------------------------------------
# Targets


TARGETS: dict[str, type] = {}


def register(cls):
    TARGETS[cls.name] = cls
    return cls


class Target:
    """One provider mounted in the sandbox. Subclasses supply auth, the error check and actions."""

    name = ""
    mount = ""
    # Error `type` expected for a status (a mismatch is a warning, not a failure).
    error_types: dict[int, set] = {}
    # 5xx statuses the sandbox documents as a deliberate limit, not a server error (README, Limits).
    limit_statuses: set = {507}

    def __init__(self, engine: Engine, g: Gen, max_body: int):
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


def kycaid_envelope_problem(out: Outcome) -> Optional[str]:
    ct = out.content_type.split(";")[0].strip().lower()
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


@register
class Kycaid(Target):
    name = "kycaid"
    mount = "/kycaid"
    error_types = {
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
    ID_TYPES = [
        "PASSPORT",
        "GOVERNMENT_ID",
        "DOMESTIC_PASSPORT",
        "FOREIGN_CITIZEN_PASSPORT",
        "DRIVERS_LICENSE",
        "PERMANENT_RESIDENCE_PERMIT",
        "REGISTRATION_COMPANY",
        "COMPANY_LEGAL_ADDRESS",
        "COMPANY_OWNERSHIP",
        "AUTHORISED_PERSON",
    ]
    DOC_TYPES = ID_TYPES + [
        "SELFIE_IMAGE",
        "ADDRESS_DOCUMENT",
        "CREDIT_CARD",
        "BANK_STATEMENT",
        "FINANCIAL_DOCUMENT",
        "TAX_ID_NUMBER",
    ]
    CHECKS = ["DOCUMENT", "FACIAL", "ADDRESS", "AML", "FINANCIAL", "VIDEO", "COMPANY", "PROFILE"]
    # What each create answers with, and where it is read back.
    RESOURCES = {
        "applicants": "applicant_id",
        "files": "file_id",
        "documents": "document_id",
        "addresses": "address_id",
        "affiliated-persons": "affiliated_person_id",
        "verifications": "verification_id",
    }

    def __init__(self, engine: Engine, g: Gen, max_body: int):
        super().__init__(engine, g, max_body)
        self.tokens = ["fuzz-a", "fuzz-b"]
        self.ids: dict[str, dict[str, list[str]]] = {t: defaultdict(list) for t in self.tokens}
        self.file_bytes: dict[str, bytes] = {}
        self.countries = ["UA", "GB", "DE", "US", "FR"]
        self.activities = [self.g.hex_id()]
        self.form_tokens: list[str] = []
        self.storage_paths: list[str] = []  # documents' front_side etc. URLs (no token needed)
        self.oversized_sent = 0

    # -- plumbing

    def setup(self) -> None:
        out = self.send(Req("GET /countries", "valid", "GET", "/countries", self.auth("fuzz-a")))
        try:
            self.countries = [c["code"] for c in out.json()] or self.countries
        except Exception:
            pass
        out = self.send(
            Req("GET /business-activities", "valid", "GET", "/business-activities", self.auth("fuzz-a"))
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

    def auth(self, token: str) -> dict:
        return {"Authorization": f"Token {token}"}

    def pick_auth(self) -> tuple[str, dict, str]:
        """(token, headers, variant suffix). Mostly the main token; sometimes something odd."""
        r = self.g.rng.random()
        if r < 0.80:
            return "fuzz-a", self.auth("fuzz-a"), ""
        if r < 0.88:
            return "fuzz-b", self.auth("fuzz-b"), ""
        odd = self.g.pick(
            [
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
        )
        token = (
            "fuzz-a" if odd[0] in ("bearer", "spaces") else "no-funds-fuzz" if odd[0] == "no-funds" else None
        )
        if token and token not in self.ids:
            self.ids[token] = defaultdict(list)
        return token, odd[1], "+auth:" + odd[0]

    def known(self, token: Optional[str], kind: str) -> str:
        """An id to put in a path or body: usually one of `token`'s, sometimes another's or junk."""
        r = self.g.rng.random()
        mine = self.ids.get(token, {}).get(kind, []) if token else []
        if r < 0.75 and mine:
            return self.g.pick(mine)
        if r < 0.85:
            other = [i for t, d in self.ids.items() if t != token for i in d.get(kind, [])]
            if other:
                return self.g.pick(other)
        if r < 0.93:
            return self.g.hex_id()
        return self.g.bad_id()

    def send(self, req: Req) -> Optional[Outcome]:
        if req.variant in ("readback", "after-delete", "after-update"):
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

    def path_id(self, value: str) -> str:
        return urllib.parse.quote(value, safe="")

    def check_error(self, req: Req, out: Outcome) -> Optional[str]:
        return kycaid_envelope_problem(out)

    def check_error_type(self, req: Req, out: Outcome) -> Optional[str]:
        expected = self.error_types.get(out.status)
        try:
            got = out.json().get("type")
        except Exception:
            return None
        if expected and got not in expected:
            return f"status {out.status} with type {got!r}; README says {sorted(expected)}"
        if not expected:
            return f"status {out.status} (type {got!r}) is not in README's error table"
        return None

    def skip_error_check(self, req: Req, out: Outcome) -> bool:
        # The hosted form page is HTML for people; its submit endpoint answers with the envelope.
        return req.method == "HEAD" or (req.path.startswith("/form/") and not req.path.endswith("/submit"))

    # -- checks after a success

    def created(
        self,
        kind: str,
        token: Optional[str],
        req: Req,
        out: Optional[Outcome],
        file_bytes: Optional[bytes] = None,
    ) -> Optional[str]:
        """After a create: 2xx must name an id that reads back. Returns the new id."""
        if out is None or out.status is None or not 200 <= out.status < 300:
            return None
        key = self.RESOURCES[kind]
        try:
            new_id = out.json()[key]
            assert isinstance(new_id, str) and new_id
        except Exception:
            self.engine.stats[self.name]["bad-json-2xx"] += 1
            self.engine.report(self, "bad-json-2xx", req, out, f"2xx create without a string `{key}`")
            return None
        back = self.send(
            Req(
                f"GET /{kind}/{{id}}",
                "readback",
                "GET",
                f"/{kind}/{self.path_id(new_id)}",
                self.auth_for(token, req),
            )
        )
        if back is None or back.status is None:
            return new_id
        if back.status != 200:
            self.engine.stats[self.name]["readback"] += 1
            self.engine.report(
                self,
                "readback",
                req,
                back,
                f"created {key} {new_id} but GET /{kind}/{new_id} answered {back.status}",
            )
            return new_id
        if kind == "files":
            if file_bytes is not None and back.body != file_bytes:
                self.engine.stats[self.name]["readback"] += 1
                self.engine.report(
                    self,
                    "readback",
                    req,
                    back,
                    f"file {new_id} reads back {len(back.body)} bytes, uploaded {len(file_bytes)}",
                )
        else:
            try:
                got = back.json().get(key)
                for side in ("front_side", "back_side", "other_side_1"):
                    url = back.json().get(side)
                    if isinstance(url, str) and "/storage/" in url:
                        self.storage_paths.append(url[url.index("/storage/") :])
            except Exception:
                got = None
            if got != new_id:
                self.engine.stats[self.name]["readback"] += 1
                self.engine.report(self, "readback", req, back, f"GET /{kind}/{new_id} shows {key}={got!r}")
        if token is not None:
            self.ids.setdefault(token, defaultdict(list))[kind].append(new_id)
        return new_id

    def auth_for(self, token: Optional[str], req: Req) -> dict:
        return {k: v for k, v in req.headers.items() if k.lower() == "authorization"}

    def deleted(self, kind: str, token: Optional[str], id_: str, req: Req, out: Optional[Outcome]) -> None:
        if out is None or out.status is None or not 200 <= out.status < 300:
            return
        back = self.send(
            Req(
                f"GET /{kind}/{{id}}",
                "after-delete",
                "GET",
                f"/{kind}/{self.path_id(id_)}",
                self.auth_for(token, req),
            )
        )
        if back is not None and back.status is not None and back.status != 404:
            self.engine.stats[self.name]["delete-not-effective"] += 1
            self.engine.report(
                self,
                "delete-not-effective",
                req,
                back,
                f"DELETE answered {out.status} but GET answered {back.status}",
            )
        if token in self.ids and id_ in self.ids[token][kind]:
            self.ids[token][kind].remove(id_)

    # -- field generators (valid values, then mutated)

    def person(self) -> dict:
        g = self.g
        f = {
            "type": "PERSON",
            "first_name": g.pick(["Jane", "Émile", "O'Neil", "Anne-Marie", "Zoë", "John", "Li"]),
            "last_name": g.pick(["Roe", "Smith", "Decline", "Doe", "de la Cruz", "Müller"]),
            "dob": g.date(),
            "gender": g.pick(["M", "F"]),
            "residence_country": g.pick(self.countries),
            "nationality": g.pick(self.countries),
            "email": g.email(),
            "phone": "+3805" + str(g.rng.randint(10000000, 99999999)),
        }
        for k in [
            "middle_name",
            "pep",
            "telegram_username",
            "wallet_address",
            "external_applicant_id",
            "custom_field_1",
        ]:
            if g.chance(0.2):
                f[k] = {"pep": g.pick([True, False]), "middle_name": "Maria"}.get(k, "fuzz-" + g.hex_id(8))
        return self.trim(f, keep=["type"])

    def company(self) -> dict:
        g = self.g
        f = {
            "type": "COMPANY",
            "company_name": g.pick(["Acme Ltd", "Ωmega GmbH", "Fuzz & Sons"]),
            "registration_country": g.pick(self.countries),
            "registration_number": str(g.rng.randint(1000, 99999999)),
            "business_activity_id": g.pick(self.activities),
            "tax_number": str(g.rng.randint(1000, 99999999)),
            "incorporation_date": g.date(),
            "website": "https://example.com",
            "email": g.email(),
            "phone": "+4420" + str(g.rng.randint(10000000, 99999999)),
        }
        return self.trim(f, keep=["type", "company_name"])

    def trim(self, f: dict, keep: list) -> dict:
        """Drops some optional fields at random."""
        return {k: v for k, v in f.items() if k in keep or self.g.chance(0.7)}

    def mutate(self, f: dict, id_fields: tuple = ()) -> tuple[dict, str]:
        """Returns (fields, tag): unchanged ("valid") or with one to three fields broken."""
        g = self.g
        if g.chance(0.45):
            return f, "valid"
        f = dict(f)
        tags = []
        for _ in range(g.rng.randint(1, 3)):
            op = g.pick(
                [
                    "drop",
                    "wrong-type",
                    "weird-string",
                    "null",
                    "bad-date",
                    "unknown-field",
                    "bad-id",
                    "bad-enum",
                    "country",
                ]
            )
            keys = list(f)
            if op == "drop" and keys:
                f.pop(g.pick(keys))
            elif op == "wrong-type" and keys:
                k = g.pick(keys)
                f[k] = g.wrong_type(f[k])
            elif op == "weird-string" and keys:
                f[g.pick(keys)] = g.weird_string()
            elif op == "null" and keys:
                f[g.pick(keys)] = None
            elif op == "bad-date":
                f[
                    g.pick(["dob", "issue_date", "expiry_date", "incorporation_date", "transaction_datetime"])
                ] = g.bad_date()
            elif op == "unknown-field":
                f[g.pick(["sandbox", "id", "applicant", "__proto__", "constructor", "x" * 300, "", "😀"])] = (
                    g.wrong_type()
                )
            elif op == "bad-id":
                f[g.pick(list(id_fields) or ["applicant_id"])] = g.pick([g.bad_id(), g.hex_id()])
            elif op == "bad-enum":
                f[g.pick(["type", "gender", "verification_status"])] = g.pick(
                    ["person", "OTHER", "", "PERSON ", "ＰＥＲＳＯＮ", 1, ["PERSON"]]
                )
            elif op == "country":
                f[g.pick(["residence_country", "nationality", "country", "registration_country"])] = g.pick(
                    ["XX", "ua", "UKR", "U", "", "ÜA"]
                )
            tags.append(op)
        return f, "mutated:" + "+".join(sorted(set(tags)))

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

    # -- actions

    def actions(self):
        return [
            (10, self.create_applicant),
            (4, self.get_applicant),
            (2, self.list_applicants),
            (4, self.update_applicant),
            (1, self.delete_applicant),
            (7, self.upload_file),
            (2, self.get_file),
            (2, self.replace_file),
            (1, self.delete_file),
            (8, self.create_document),
            (3, self.get_document),
            (3, self.update_document),
            (1, self.delete_document),
            (5, self.create_address),
            (2, self.update_address),
            (1, self.delete_address),
            (3, self.create_person),
            (1, self.update_person),
            (5, self.create_verification),
            (2, self.get_verification),
            (2, self.set_verification_status),
            (3, self.form_url),
            (2, self.form_submit),
            (1, self.bdb),
            (1, self.reference),
            (2, self.wrong_method),
            (2, self.unknown_route),
            (1, self.bad_path_id),
        ]

    def create_applicant(self):
        token, auth, at = self.pick_auth()
        fields = self.person() if self.g.chance(0.7) else self.company()
        fields, tag = self.mutate(fields)
        req = self.body_req("POST /applicants", "POST", "/applicants", fields, tag, auth, at)
        out = self.send(req)
        self.created("applicants", token, req, out)
        if (
            out is not None
            and tag == "valid"
            and req.variant in ("json:valid", "form:valid")
            and out.status
            and out.status >= 400
        ):
            self.engine.report(self, "valid-rejected", req, out, "a valid applicant was refused")

    def get_applicant(self):
        token, auth, at = self.pick_auth()
        self.send(
            Req(
                "GET /applicants/{id}",
                "get" + at,
                "GET",
                "/applicants/" + self.path_id(self.known(token, "applicants")),
                auth,
            )
        )

    def list_applicants(self):
        token, auth, at = self.pick_auth()
        kind = self.g.pick(["applicants", "verifications"])
        q = {}
        for k in ["page", "per_page"] + (["applicant_id"] if kind == "verifications" else []):
            if self.g.chance(0.6):
                q[k] = (
                    self.g.pick(
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
                    else self.known(token, "applicants")
                )
        if self.g.chance(0.1):
            q["page"] = ["1", "2"]
        query = urllib.parse.urlencode(q, doseq=True)
        self.send(Req(f"GET /{kind}", "list" + at, "GET", f"/{kind}" + ("?" + query if query else ""), auth))

    def update_applicant(self):
        token, auth, at = self.pick_auth()
        aid = self.known(token, "applicants")
        fields = self.person() if self.g.chance(0.6) else self.company()
        fields.pop("type", None) if self.g.chance(0.7) else None
        fields = {k: v for k, v in fields.items() if self.g.chance(0.4)}
        fields, tag = self.mutate(fields)
        method = self.g.pick(["PATCH", "PATCH", "PUT"])
        req = self.body_req(
            f"{method} /applicants/{{id}}", method, "/applicants/" + self.path_id(aid), fields, tag, auth, at
        )
        out = self.send(req)
        if out is not None and out.status is not None and 200 <= out.status < 300:
            back = self.send(
                Req("GET /applicants/{id}", "after-update", "GET", "/applicants/" + self.path_id(aid), auth)
            )
            if back is not None and back.status not in (None, 200):
                self.engine.stats[self.name]["readback"] += 1
                self.engine.report(
                    self,
                    "readback",
                    req,
                    back,
                    f"update answered {out.status} but GET answered {back.status}",
                )

    def delete_applicant(self):
        token, auth, at = self.pick_auth()
        aid = self.known(token, "applicants")
        req = Req(
            "DELETE /applicants/{id}", "delete" + at, "DELETE", "/applicants/" + self.path_id(aid), auth
        )
        self.deleted("applicants", token, aid, req, self.send(req))

    def upload_file(self):
        token, auth, at = self.pick_auth()
        variant, headers, body, chunked, data = upload_body(self.g)
        if self.g.chance(0.004) and self.oversized_sent < 6:
            self.oversized_sent += 1
            boundary = "big" + self.g.hex_id(8)
            headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
            body = multipart(
                [("file", "big.png", "image/png", png_bytes() + b"\x00" * (self.max_body + 10))], boundary
            )
            variant, chunked, data = "multipart:oversized", self.g.chance(0.5), None
        headers.update(auth)
        req = Req("POST /files", variant + at, "POST", "/files", headers, body, chunked)
        out = self.send(req)
        self.created(
            "files",
            token,
            req,
            out,
            (
                data
                if variant in ("multipart:valid", "multipart:quoted-boundary", "multipart:preamble")
                else None
            ),
        )

    def get_file(self):
        token, auth, at = self.pick_auth()
        fid = self.known(token, "files")
        path = "/files/" + self.path_id(fid)
        if self.g.chance(0.3):
            # The storage URLs documents show (/storage/{tenant}/{id}, no token needed), or broken ones.
            if self.storage_paths and self.g.chance(0.6):
                path = self.g.pick(self.storage_paths)
                if self.g.chance(0.3):
                    path = (
                        path.rsplit("/", 1)[0]
                        + "/"
                        + self.path_id(self.g.pick([self.g.hex_id(), self.g.bad_id()]))
                    )
            else:
                path = f"/storage/{self.path_id(self.g.pick(['kycaid-' + self.g.hex_id(12), self.g.bad_id()]))}/{self.path_id(fid)}"
        self.send(Req("GET /files/{id}", "get" + at, "GET", path, auth))

    def replace_file(self):
        token, auth, at = self.pick_auth()
        fid = self.known(token, "files")
        variant, headers, body, chunked, _ = upload_body(self.g)
        headers.update(auth)
        self.send(
            Req("PUT /files/{id}", variant + at, "PUT", "/files/" + self.path_id(fid), headers, body, chunked)
        )

    def delete_file(self):
        token, auth, at = self.pick_auth()
        fid = self.known(token, "files")
        req = Req("DELETE /files/{id}", "delete" + at, "DELETE", "/files/" + self.path_id(fid), auth)
        self.deleted("files", token, fid, req, self.send(req))

    def document_fields(self, token: Optional[str]) -> dict:
        g = self.g
        t = g.pick(self.DOC_TYPES)
        f: dict = {"applicant_id": self.known(token, "applicants"), "type": t}
        number = g.pick(
            [
                "AB123456",
                "0000",
                "0000-EXPIRED_DOCUMENT",
                "0000-NOT_A_REASON",
                "SANCT0001",
                str(g.rng.randint(1, 10**9)),
            ]
        )
        if t in self.ID_TYPES:
            f.update(
                document_number=number,
                additional_number="X1",
                issue_date=g.date(),
                expiry_date=g.future_date(),
                issuing_authority="Fuzz office",
            )
        elif t == "ADDRESS_DOCUMENT" or t == "TAX_ID_NUMBER":
            f.update(document_number=number, issue_date=g.date(), issuing_authority="Fuzz office")
        elif t == "CREDIT_CARD":
            f.update(
                card_number="4" + str(g.rng.randint(10**14, 10**15 - 1)), account_number="UA" + g.hex_id(10)
            )
        elif t == "BANK_STATEMENT":
            f.update(account_number="GB" + g.hex_id(10), issue_date=g.date())
        elif t == "FINANCIAL_DOCUMENT":
            f.update(
                income_sources=g.pick([["SALARY"], ["SALARY", "INVESTMENTS"], []]),
                annual_income=g.pick([1000, "50000", 0]),
                transaction_amount=g.pick([10, 10.5, "100"]),
                transaction_currency=g.pick(["USD", "EUR", "usd", "XXX"]),
                transaction_datetime="2024-01-01 10:00:00",
                transaction_purpose="fuzz",
                origin_funds="savings",
            )
        for side in ["front_side_id", "back_side_id", "other_side_1_id"]:
            if side == "front_side_id" and (t == "SELFIE_IMAGE" or g.chance(0.7)) or g.chance(0.2):
                f[side] = self.known(token, "files")
        return self.trim(f, keep=["applicant_id", "type", "front_side_id"])

    def create_document(self):
        token, auth, at = self.pick_auth()
        fields, tag = self.mutate(
            self.document_fields(token), ("applicant_id", "front_side_id", "back_side_id")
        )
        if self.g.chance(0.1):
            # A field of another document type.
            fields[self.g.pick(["card_number", "income_sources", "document_number", "annual_income"])] = (
                "123412341234"
            )
            tag += "+foreign-field"
        req = self.body_req("POST /documents", "POST", "/documents", fields, tag, auth, at)
        self.created("documents", token, req, self.send(req))

    def get_document(self):
        token, auth, at = self.pick_auth()
        kind = self.g.pick(["documents", "addresses", "affiliated-persons", "verifications"])
        self.send(
            Req(
                f"GET /{kind}/{{id}}",
                "get" + at,
                "GET",
                f"/{kind}/" + self.path_id(self.known(token, kind)),
                auth,
            )
        )

    def update_document(self):
        token, auth, at = self.pick_auth()
        did = self.known(token, "documents")
        fields = {
            k: v for k, v in self.document_fields(token).items() if k != "applicant_id" and self.g.chance(0.5)
        }
        fields, tag = self.mutate(fields, ("front_side_id", "back_side_id"))
        method = self.g.pick(["PATCH", "PUT"])
        req = self.body_req(
            f"{method} /documents/{{id}}", method, "/documents/" + self.path_id(did), fields, tag, auth, at
        )
        self.send(req)

    def delete_document(self):
        token, auth, at = self.pick_auth()
        did = self.known(token, "documents")
        req = Req("DELETE /documents/{id}", "delete" + at, "DELETE", "/documents/" + self.path_id(did), auth)
        self.deleted("documents", token, did, req, self.send(req))

    def address_fields(self, token: Optional[str]) -> dict:
        g = self.g
        f = {
            "applicant_id": self.known(token, "applicants"),
            "type": g.pick(["REGISTERED", "ADDITIONAL", "BUSINESS"]),
            "full_address": "1 Fuzz Street, Kyiv",
            "country": g.pick(self.countries),
            "state": "State",
            "region": "Region",
            "province": "Province",
            "city": g.pick(["Kyiv", "Zürich", "東京"]),
            "district": "D",
            "address": "1 Fuzz Street",
            "postal_code": g.pick(["01001", "SW1A 1AA", ""]),
            "street_name": "Fuzz Street",
            "building_number": "1",
            "unit_number": "2",
        }
        return self.trim(f, keep=["applicant_id", "type"])

    def create_address(self):
        token, auth, at = self.pick_auth()
        fields, tag = self.mutate(self.address_fields(token))
        req = self.body_req("POST /addresses", "POST", "/addresses", fields, tag, auth, at)
        self.created("addresses", token, req, self.send(req))

    def update_address(self):
        token, auth, at = self.pick_auth()
        aid = self.known(token, "addresses")
        fields = {
            k: v for k, v in self.address_fields(token).items() if k != "applicant_id" and self.g.chance(0.4)
        }
        fields, tag = self.mutate(fields)
        req = self.body_req(
            "PATCH /addresses/{id}", "PATCH", "/addresses/" + self.path_id(aid), fields, tag, auth, at
        )
        out = self.send(req)
        if out is not None and out.status == 200:
            try:
                new_id = out.json()["address_id"]  # may be a new id (a completed verification keeps the old)
                if token is not None and new_id not in self.ids[token]["addresses"]:
                    self.ids[token]["addresses"].append(new_id)
            except Exception:
                pass

    def delete_address(self):
        token, auth, at = self.pick_auth()
        aid = self.known(token, "addresses")
        req = Req("DELETE /addresses/{id}", "delete" + at, "DELETE", "/addresses/" + self.path_id(aid), auth)
        self.deleted("addresses", token, aid, req, self.send(req))

    def person_fields(self, token: Optional[str]) -> dict:
        g = self.g
        f = {
            "type": g.pick(["AUTHORISED", "BENEFICIAL", "DIRECTOR", "SHAREHOLDER"]),
            "applicant_id": self.known(token, "applicants"),
            "first_name": "Ann",
            "last_name": "Lee",
            "title": g.pick(["CEO", "x" * 37]),
            "dob": g.date(),
            "residence_country": g.pick(self.countries),
            "nationality": g.pick(self.countries),
            "email": g.email(),
            "phone": "+441234567890",
            "share": g.pick([0, 25, 100, 100.01, -1, "50"]),
        }
        return self.trim(f, keep=["type", "applicant_id"])

    def create_person(self):
        token, auth, at = self.pick_auth()
        fields, tag = self.mutate(self.person_fields(token))
        req = self.body_req("POST /affiliated-persons", "POST", "/affiliated-persons", fields, tag, auth, at)
        self.created("affiliated-persons", token, req, self.send(req))

    def update_person(self):
        token, auth, at = self.pick_auth()
        pid = self.known(token, "affiliated-persons")
        fields = {
            k: v for k, v in self.person_fields(token).items() if k != "applicant_id" and self.g.chance(0.4)
        }
        fields, tag = self.mutate(fields)
        method = self.g.pick(["PATCH", "DELETE"])
        if method == "DELETE":
            req = Req(
                "DELETE /affiliated-persons/{id}",
                "delete" + at,
                "DELETE",
                "/affiliated-persons/" + self.path_id(pid),
                auth,
            )
            self.deleted("affiliated-persons", token, pid, req, self.send(req))
        else:
            self.send(
                self.body_req(
                    "PATCH /affiliated-persons/{id}",
                    "PATCH",
                    "/affiliated-persons/" + self.path_id(pid),
                    fields,
                    tag,
                    auth,
                    at,
                )
            )

    def create_verification(self):
        token, auth, at = self.pick_auth()
        g = self.g
        f: dict = {"applicant_id": self.known(token, "applicants")}
        if g.chance(0.4):
            f["types"] = g.rng.sample(self.CHECKS, g.rng.randint(0, 3))
        if g.chance(0.3):
            f["form_id"] = g.pick([g.hex_id(), g.bad_id()])
        if g.chance(0.3):
            # Only loopback (port 9 is closed) or junk: the sandbox really posts callbacks.
            f["callback_url"] = g.pick(
                [
                    "http://127.0.0.1:9/kycaid-callback",
                    "not a url",
                    "ftp://127.0.0.1/",
                    "http://",
                    "",
                    "http://127.0.0.1:9/" + "x" * 3000,
                ]
            )
        fields, tag = self.mutate(f, ("applicant_id",))
        req = self.body_req("POST /verifications", "POST", "/verifications", fields, tag, auth, at)
        self.created("verifications", token, req, self.send(req))

    def get_verification(self):
        token, auth, at = self.pick_auth()
        self.send(
            Req(
                "GET /verifications/{id}",
                "get" + at,
                "GET",
                "/verifications/" + self.path_id(self.known(token, "verifications")),
                auth,
            )
        )

    def set_verification_status(self):
        token, auth, at = self.pick_auth()
        vid = self.known(token, "verifications")
        f = {
            "verification_status": self.g.pick(["approved", "declined", "APPROVED", "pending"]),
            "callback_enabled": self.g.pick([True, False, "true", "yes"]),
            "project_owner_email_enabled": False,
            "applicant_email_enabled": False,
        }
        fields, tag = self.mutate(self.trim(f, keep=["verification_status"]))
        self.send(
            self.body_req(
                "POST /verifications/{id}/status",
                "POST",
                f"/verifications/{self.path_id(vid)}/status",
                fields,
                tag,
                auth,
                at,
            )
        )

    def form_url(self):
        token, auth, at = self.pick_auth()
        g = self.g
        form_id = g.pick([g.hex_id(), g.hex_id(), g.bad_id()])
        f = {
            "applicant_id": self.known(token, "applicants"),
            "external_applicant_id": g.pick(["ext-" + g.hex_id(6), "x" * 51]),
            "redirect_url": g.pick(["http://127.0.0.1:9/done", "javascript:alert(1)", ""]),
        }
        fields, tag = self.mutate(self.trim(f, keep=[]))
        out = self.send(
            self.body_req(
                "POST /forms/{form_id}/urls",
                "POST",
                f"/forms/{self.path_id(form_id)}/urls",
                fields,
                tag,
                auth,
                at,
            )
        )
        if out is not None and out.status is not None and 200 <= out.status < 300:
            try:
                self.form_tokens.append(out.json()["form_token"])
            except Exception:
                self.engine.report(
                    self,
                    "bad-json-2xx",
                    Req("POST /forms/{form_id}/urls", tag, "POST", "/forms/_/urls"),
                    out,
                    "2xx without form_token",
                )

    def form_submit(self):
        g = self.g
        tok = (
            g.pick(self.form_tokens)
            if self.form_tokens and g.chance(0.85)
            else g.pick([g.hex_id(), g.bad_id()])
        )
        if g.chance(0.3):
            self.send(
                Req(
                    "GET /form/{token}",
                    "page",
                    "GET",
                    "/form/"
                    + self.path_id(tok)
                    + g.pick(["", "?sandbox_scenario=kycaid-manual-review", "?sandbox_scenario=%00"]),
                    {},
                )
            )
            return
        fields = {
            "first_name": "Jane",
            "last_name": g.pick(["Roe", "Decline"]),
            "dob": g.date(),
            "email": g.email(),
            "residence_country": g.pick(self.countries),
            "document_type": g.pick(["PASSPORT", "DRIVERS_LICENSE", "SELFIE_IMAGE", "nope"]),
            "document_number": g.pick(["AB123", "0000"]),
            "country": g.pick(self.countries),
            "city": "Kyiv",
            "postal_code": "01001",
            "full_address": "1 Fuzz Street",
        }
        fields, tag = self.mutate(self.trim(fields, keep=[]))
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
        self.send(
            Req(
                "POST /form/{token}/submit",
                f"{variant}:{tag}",
                "POST",
                f"/form/{self.path_id(tok)}/submit",
                headers,
                body,
                chunked,
            )
        )

    def bdb(self):
        token, auth, at = self.pick_auth()
        g = self.g
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
        fields, tag = self.mutate(f)
        self.send(self.body_req("POST " + path, "POST", path, fields, tag, auth, at))

    def reference(self):
        token, auth, at = self.pick_auth()
        path = self.g.pick(["/countries", "/languages", "/business-activities"])
        if self.g.chance(0.3):
            path += "?" + self.g.pick(["lang=xx", "page=-1", "%ZZ", "a=" + "b" * 5000])
        self.send(Req("GET " + path.split("?")[0], "reference" + at, "GET", path, auth))

    def wrong_method(self):
        token, auth, at = self.pick_auth()
        path, allowed = self.g.pick(
            [
                ("/applicants", {"GET", "POST"}),
                ("/files", {"POST"}),
                ("/documents", {"POST"}),
                ("/verifications/" + self.g.hex_id() + "/status", {"POST"}),
                ("/countries", {"GET"}),
                ("/addresses/" + self.g.hex_id(), {"GET", "PATCH", "DELETE"}),
            ]
        )
        method = self.g.pick(
            [
                m
                for m in ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "FOO"]
                if m not in allowed
            ]
        )
        if method == "OPTIONS":
            return  # CORS preflight: answered by the CORS layer, not the API
        self.send(
            Req(
                f"{method} {path.split('/')[1]}",
                "wrong-method" + at,
                method,
                path,
                auth,
                b"{}" if method in ("POST", "PUT", "PATCH") else None,
            )
        )

    def unknown_route(self):
        token, auth, at = self.pick_auth()
        path = self.g.pick(
            [
                "/",
                "",
                "/applicant",
                "/applicants/" + self.g.hex_id() + "/extra",
                "/v2/applicants",
                "/files/",
                "/%2e%2e/%2e%2e/__admin/health",
                "/applicants/%00",
                "//applicants",
                "/APPLICANTS",
                "/" + "a" * 9000,
                "/verifications/" + self.g.hex_id() + "/status/x",
                "/services/aml",
                "/form",
            ]
        )
        self.send(Req("GET (unknown route)", "unknown-route" + at, self.g.pick(["GET", "POST"]), path, auth))

    def bad_path_id(self):
        token, auth, at = self.pick_auth()
        kind = self.g.pick(list(self.RESOURCES))
        method = self.g.pick(["GET", "PATCH", "DELETE"] if kind != "files" else ["GET", "PUT", "DELETE"])
        bad = self.g.bad_id()
        body = b"{}" if method in ("PATCH", "PUT") else None
        headers = {**auth, **(JSON if body else {})}
        self.send(
            Req(
                f"{method} /{kind}/{{id}}",
                "bad-path-id" + at,
                method,
                f"/{kind}/" + self.path_id(bad),
                headers,
                body,
            )
        )


# Planned targets (ZealID Hermes, Qolo): subclass Target with their mount ("/hermes", "/qolo"), their
# credential (Hermes client credentials, Qolo bearer token), their error envelope in `check_error`,
# their resources in `actions`, and decorate with @register.


# --------------------------------------------------------------------------------------------------
# Fuzz mode: run the targets, print the summary


def print_findings(findings: list[Finding], out=sys.stdout) -> None:
    for i, f in enumerate(findings, 1):
        print(
            f"\n[{i}] {f.severity.upper()} {f.kind}: {f.op} [{f.variant}] status={f.status} (x{f.count})",
            file=out,
        )
        print(f"    {f.detail}", file=out)
        print(f"    reproduce: {f.curl}", file=out)
        print("    response: " + f.response.replace("\n", "\n      "), file=out)


def fuzz_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(
        description="Seeded fuzzer for kyc-sandbox's KYCAID (and later Hermes, Qolo) APIs."
    )
    p.add_argument("--base-url", required=True, help="the sandbox root, e.g. http://127.0.0.1:4747")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--requests", type=int, default=1500, help="request budget per target")
    p.add_argument("--max-seconds", type=float, default=120, help="time budget per target")
    p.add_argument(
        "--timeout", type=float, default=5.0, help="client timeout per request; a timeout is a failure"
    )
    p.add_argument("--max-body", type=int, default=10485760, help="the server's --max-body")
    p.add_argument("--targets", default="kycaid", help=f"comma-separated, from: {', '.join(TARGETS)}")
    p.add_argument("--report", help="write the summary and findings as JSON here")
    p.add_argument("--artifacts", help="directory for request bodies too large for an inline curl")
    p.add_argument(
        "--quarantine-after",
        type=int,
        default=1,
        help="stop sending a request shape after it timed out this many times (0: never)",
    )
    p.add_argument("--strict-warnings", action="store_true", help="warnings fail the run too")
    p.add_argument("-v", "--verbose", action="store_true", help="log every request to stderr")
    args = p.parse_args(argv)

    engine = Engine(args.base_url, args.timeout, args.artifacts, args.verbose, args.quarantine_after)
    names = [n.strip() for n in args.targets.split(",") if n.strip()]
    for n in names:
        if n not in TARGETS:
            p.error(f"unknown target {n!r} (known: {', '.join(TARGETS)})")
    started = time.monotonic()
    for n in names:
        rng = random.Random(f"{args.seed}:{n}")
        target = TARGETS[n](engine, Gen(rng), args.max_body)
        t0 = time.monotonic()
        target.run(args.requests, args.max_seconds)
        engine.stats[n]["seconds"] = round(time.monotonic() - t0)

    findings = sorted(engine.findings.values(), key=lambda f: (f.severity != "fail", f.kind, f.op, f.variant))
    failures = [f for f in findings if f.severity == "fail" or args.strict_warnings]
    print_findings(findings)
    print()
    for n in names:
        s = engine.stats[n]
        print(
            f"SUMMARY {n}: requests={s['requests']} 2xx={s['2xx']} 4xx={s['4xx']} 5xx={s['5xx']} 507={s['507']} "
            f"timeouts={s['timeouts']} no-response={s['no-response']} bad-envelope={s['bad-envelope']} "
            f"readback={s['readback'] + s['delete-not-effective'] + s['bad-json-2xx']} "
            f"server-died={s['server-died']} skipped={s['skipped']} seconds={s['seconds']}"
        )
    kinds = Counter(f.kind for f in findings)
    print(
        f"findings: {len(findings)} distinct ({dict(kinds)}), {len(failures)} failing; {time.monotonic() - started:.0f}s"
    )
    if args.report:
        with open(args.report, "w") as fh:
            json.dump(
                {
                    "seed": args.seed,
                    "stats": {n: dict(engine.stats[n]) for n in names},
                    "findings": [f.__dict__ for f in findings],
                },
                fh,
                indent=1,
                ensure_ascii=False,
            )
    return 1 if failures else 0


# --------------------------------------------------------------------------------------------------
# st-summary mode: counts and grouped findings of one schemathesis run (its ndjson and json reports)


# Failure codes that are bugs in the sandbox whatever the spec says.
ST_FAILING_CODES = {"ST101"}  # Server error
# Groups that follow from documented sandbox behaviour rather than from a bug (shown, marked).
ST_CREDENTIAL_HEADERS = {"authorization", "reb-apikey", "x-sumvin-pat", "x-juno-jwt", "x-sumvin-token"}
ST_BY_DESIGN = {
    (
        "ST401",
        "invalid credentials provided",
    ): "by design: any credential is accepted (README, Auth and tenants)",
    (
        "ST401",
        "generated auth likely invalid",
    ): "by design: any credential is accepted (README, Auth and tenants)",
}


def st_curl(request: dict) -> str:
    parts = ["curl -sS -i -X " + shq(request["method"])]
    for k, vals in (request.get("headers") or {}).items():
        for v in vals if isinstance(vals, list) else [vals]:
            parts.append("-H " + shq(f"{k}: {v}"))
    body = request.get("body")
    if body and "$base64" in body:
        raw = base64.b64decode(body["$base64"])
        parts.append("--data-binary " + (shq(raw) if len(raw) <= 2000 else f"@<{len(raw)} bytes>"))
    elif body and "string" in body:
        parts.append("--data-binary " + shq(body["string"]))
    parts.append(shq(request["uri"]))
    return " ".join(parts)


def st_body(resp: dict) -> str:
    content = (resp or {}).get("content") or {}
    if "$base64" in content:
        return base64.b64decode(content["$base64"]).decode("utf-8", "replace")
    return content.get("string", "") or ""


def st_summary_main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description="Summarise one schemathesis run for scripts/fuzz.sh")
    p.add_argument("--name", required=True)
    p.add_argument("--ndjson", required=True)
    p.add_argument("--json", dest="json_report")
    args = p.parse_args(argv)

    requests_n = 0
    statuses: Counter = Counter()
    no_response = 0
    creates: list[tuple[dict, str]] = []  # (request, response body) of 2xx POST/PUT, in order
    server_errors: dict[tuple, dict] = {}
    groups: dict[tuple, dict] = {}
    with open(args.ndjson, encoding="utf-8") as fh:
        for line in fh:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            fin = event.get("ScenarioFinished")
            if not fin:
                continue
            rec = fin.get("recorder") or {}
            interactions = rec.get("interactions") or {}
            for cid, inter in sorted(interactions.items(), key=lambda kv: kv[1].get("timestamp", 0)):
                requests_n += 1
                resp = inter.get("response")
                if not resp:
                    no_response += 1
                    continue
                code = resp.get("status_code")
                statuses[f"{code // 100}xx"] += 1
                req = inter["request"]
                if 200 <= code < 300 and req["method"] in ("POST", "PUT", "PATCH"):
                    creates.append((req, st_body(resp)[:4000]))
                if code == 507:
                    statuses["507"] += 1  # the upload store is full: a documented limit (README, Limits)
                elif code >= 500:
                    op = f"{req['method']} {urllib.parse.urlsplit(req['uri']).path}"
                    body = st_body(resp)[:300]
                    key = (code, body)
                    if key not in server_errors:
                        # The requests that created and last changed the ids in the failing
                        # URL, then the failing one.
                        setup = []
                        for seg in urllib.parse.urlsplit(req["uri"]).path.split("/"):
                            if len(seg) >= 8 and any(c.isdigit() for c in seg):
                                touched = [r for r, b in creates if seg in b or seg in r["uri"]]
                                picked = touched if len(touched) <= 3 else touched[:1] + touched[-2:]
                                setup += [r for r in picked if r not in setup]
                        ct = (resp.get("headers") or {}).get("content-type", ["(none)"])
                        server_errors[key] = {
                            "op": op,
                            "status": code,
                            "body": body,
                            "content_type": ct,
                            "curls": [st_curl(r) for r in setup + [req]],
                            "count": 0,
                        }
                    server_errors[key]["count"] += 1
            for cid, checks in (rec.get("checks") or {}).items():
                for c in checks:
                    if c.get("status") != "failure":
                        continue
                    fail = (c.get("failure_info") or {}).get("failure") or {}
                    code = fail.get("code", "?")
                    title = fail.get("title", c.get("name"))
                    message = (fail.get("message") or "").strip()
                    why = re.search(r"\(([^()]*)\)\s*$", message.splitlines()[0]) if message else None
                    sub = why.group(1) if (code == "ST401" and why) else ""
                    if code == "ST401" and not sub:
                        # "Without authentication" as the spec sees it; the sandbox also takes
                        # credentials in headers the spec lists as plain parameters.
                        sent = (interactions.get(cid) or {}).get("request", {}).get("headers") or {}
                        creds = sorted(h.lower() for h in sent if h.lower() in ST_CREDENTIAL_HEADERS)
                        sub = f"but {', '.join(creds)} sent" if creds else "no credential header at all"
                    g = groups.setdefault(
                        (code, title, sub), {"count": 0, "operations": Counter(), "examples": []}
                    )
                    g["count"] += 1
                    g["operations"][fail.get("operation") or rec.get("label", "?")] += 1
                    example = [l for l in message.splitlines() if l.strip()][:3]
                    if len(g["examples"]) < 2 and example and example not in g["examples"]:
                        g["examples"].append(example)
    errors = []
    if args.json_report and os.path.exists(args.json_report):
        with open(args.json_report, encoding="utf-8") as fh:
            errors = json.load(fh).get("errors") or []

    print(f"\n== schemathesis {args.name}: check failures, grouped (only [FAIL] ones fail the run) ==")
    for (code, title, sub), g in sorted(
        groups.items(), key=lambda kv: (kv[0][0] not in ST_FAILING_CODES, kv[0])
    ):
        note = ST_BY_DESIGN.get((code, sub))
        if code == "ST401" and sub.startswith("but "):
            note = "by design: any value of a credential header is a credential (README, Auth and tenants)"
        mark = "FAIL" if code in ST_FAILING_CODES else "design" if note else "info"
        ops = ", ".join(f"{o} x{n}" for o, n in g["operations"].most_common(6))
        more = f" (+{len(g['operations']) - 6} more)" if len(g["operations"]) > 6 else ""
        print(f"  [{mark}] {code} {title}{' (' + sub + ')' if sub else ''}: {g['count']} checks; {ops}{more}")
        if note:
            print(f"         {note}")
            continue
        for example in g["examples"]:
            for i, line in enumerate(example):
                print(f"         {'-' if i == 0 else ' '} {line[:200]}")
    for e in server_errors.values():
        print(
            f"\n  5xx: {e['op']} -> {e['status']} content-type {e['content_type']} (x{e['count']}): {e['body']!r}"
        )
        for c in e["curls"]:
            print(f"     {c}")
    for e in errors:
        print(f"\n  error: {json.dumps(e)[:600]}")
    timeouts = sum(1 for e in errors if re.search(r"timed? ?out|Timeout", json.dumps(e)))
    n5xx = statuses["5xx"] - statuses["507"]
    print(
        f"SUMMARY {args.name}: requests={requests_n} 2xx={statuses['2xx']} 4xx={statuses['4xx']} 5xx={n5xx} "
        f"507={statuses['507']} "
        f"timeouts={timeouts} errors={len(errors)} no-response={no_response} check-groups={len(groups)}"
    )
    return 1 if (n5xx or errors or no_response) else 0


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "st-summary":
        sys.exit(st_summary_main(sys.argv[2:]))
    sys.exit(fuzz_main(sys.argv[1:]))
