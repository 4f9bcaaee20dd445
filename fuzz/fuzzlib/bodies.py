"""Request bodies: one dict of fields becomes JSON, a form, or something broken on purpose."""

from __future__ import annotations

import gzip
import json
import urllib.parse
from typing import Optional

from .values import Gen

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
            gzip.compress(text, mtime=0),  # a timestamp would make the body differ run to run
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
