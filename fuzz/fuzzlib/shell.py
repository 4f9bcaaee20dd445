"""Shell quoting for the curl commands that reproduce a finding."""

from __future__ import annotations

import shlex


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
