"""Multipart uploads, valid or broken on purpose."""

from __future__ import annotations

import base64
from typing import Optional

from .bodies import JSON, json_bytes
from .samples import GIF, JPEG, PDF, png_bytes
from .values import Gen

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
