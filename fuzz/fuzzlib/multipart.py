"""Multipart uploads, valid or broken on purpose."""

from __future__ import annotations

import base64
from typing import Optional

from .bodies import JSON, json_bytes
from .samples import GIF, JPEG, PDF, png_bytes
from .values import Gen

# (bytes, content type, file name) of a valid upload.
SAMPLES = [
    (png_bytes(), "image/png", "a.png"),
    (JPEG, "image/jpeg", "a.jpg"),
    (PDF, "application/pdf", "a.pdf"),
]
BROKEN_UPLOADS = [
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
JUNK_FILES = [b"hello world", b"<html></html>", bytes(range(256)), b"GIF87a" + b"\x00" * 10, b"\x89PNX"]
WRONG_FIELD_NAMES = ["document", "", "files[]", "FILE", "file\u0000"]
WEIRD_FILENAMES = [
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
CONTROL_CHAR_FILENAMES = [
    "a\x01b.png",
    "tab\tname.png",
    "new\nline.png",
    "cr\rname.png",
    "del\x7f.png",
    "nul\x00.png",
    "esc\x1b[0m.png",
]


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
    data, mime, fname = g.pick(SAMPLES)
    extra = extra or []
    if g.rng.random() < 0.5:
        if g.chance(0.3):
            data = data + bytes(g.rng.getrandbits(8) for _ in range(g.pick([10, 1000, 50000])))
        body = multipart([(field_name, fname, mime, data)] + extra, boundary)
        return "multipart:valid", form_data(boundary), body, g.chance(0.05), data
    return broken_upload(g, boundary, (field_name, fname, mime, data), extra)


def broken_upload(
    g: Gen, boundary: str, part: tuple, extra: list
) -> tuple[str, dict, Optional[bytes], bool, Optional[bytes]]:
    """One of BROKEN_UPLOADS: an odd file or file name, or a broken multipart frame around `part`."""
    field_name, fname, mime, data = part
    kind = g.pick(BROKEN_UPLOADS)
    v = "multipart:" + kind
    headers = form_data(boundary)
    if kind == "json-instead":
        return v, dict(JSON), json_bytes({"file": base64.b64encode(data).decode()}), False, None
    if kind == "empty-body":
        return v, headers, b"", False, None
    if kind == "no-disposition":
        sep = b"--" + boundary.encode()
        body = sep + b"\r\nContent-Type: image/png\r\n\r\n" + data + b"\r\n" + sep + b"--\r\n"
        return v, headers, body, False, None
    parts, close, nl = [part], True, b"\r\n"
    if kind in ("no-closing-boundary", "chunked-no-closing", "cut-mid-part"):
        parts, close = [part] + extra, kind == "cut-mid-part"
    elif kind == "unsupported-bytes":
        parts = [(field_name, "x.png", "image/png", g.pick(JUNK_FILES))]
    elif kind == "empty-file":
        parts = [(field_name, "empty.png", "image/png", b"")]
    elif kind == "no-filename":
        parts = [(field_name, None, None, data)]
    elif kind == "wrong-field":
        parts = [(g.pick(WRONG_FIELD_NAMES), fname, mime, data)]
    elif kind == "weird-filename":
        parts = [(field_name, g.pick(WEIRD_FILENAMES), mime, data)]
    elif kind == "control-char-filename":
        parts = [(field_name, g.pick(CONTROL_CHAR_FILENAMES), mime, data)]
    elif kind == "two-files":
        parts = [part, (field_name, "b.pdf", "application/pdf", PDF)]
    elif kind == "boundary-mismatch":
        headers = {"Content-Type": "multipart/form-data; boundary=other"}
    elif kind == "no-boundary-param":
        headers = {"Content-Type": "multipart/form-data"}
    elif kind == "quoted-boundary":
        headers = {"Content-Type": f'multipart/form-data; boundary="{boundary}"'}
    elif kind == "long-boundary":
        boundary = "b" * 200
        headers = form_data(boundary)
    elif kind == "lf-only":
        nl = b"\n"
    elif kind == "gif":
        parts = [(field_name, "a.gif", "image/gif", GIF)]
    body = multipart(parts, boundary, close, nl)
    if kind == "cut-mid-part":
        body = body[: g.rng.randint(1, len(body) - 1)]
    elif kind == "preamble":
        body = b"preamble garbage\r\n" + body + b"epilogue"
    whole = kind in ("weird-filename", "quoted-boundary", "preamble")  # may still be taken as sent
    return v, headers, body, kind == "chunked-no-closing", data if whole else None


def form_data(boundary: str) -> dict:
    return {"Content-Type": f"multipart/form-data; boundary={boundary}"}
