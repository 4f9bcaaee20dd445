"""Hermes' `Authorization: HMAC client_id="…",ts="…",nonce="…",signature="…"`: the valid header and the
many ways a client gets it wrong.

The signature is the standard base64 of HMAC-SHA512 keyed by the client secret over
client_id + nonce + ts + "METHOD /path" + raw body. `ts` must be the machine's real time (the server
checks it against its wall clock, ±300 s), so these headers are the one part of a run that is not the
same byte for byte; nonces are seeded, behind a per-process salt so that a second run against the
same server does not reuse the first one's."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import time
from typing import Optional

from ...values import Gen

CLIENT, SECRET = "demo-client", "demo-secret"


def signature(secret: str, client: str, nonce: str, ts: str, method: str, path: str, body: bytes) -> str:
    msg = (client + nonce + ts + method + " " + path).encode("utf-8", "surrogatepass") + body
    return base64.b64encode(hmac.new(secret.encode(), msg, hashlib.sha512).digest()).decode()


def header(client: str, ts: str, nonce: str, sig: str) -> str:
    return f'HMAC client_id="{client}",ts="{ts}",nonce="{nonce}",signature="{sig}"'


# Odd layouts of a header that is otherwise right: the server may accept them, so only their answer's
# envelope is checked, not that they are refused.
LENIENT = {"spaces", "duplicate-field", "unicode", "huge-field"}


class Signer:
    def __init__(self, g: Gen, mount: str):
        self.g = g
        self.mount = mount
        self.salt = os.urandom(4).hex()  # not drawn from the seeded stream

    def nonce(self) -> str:
        return self.salt + self.g.hex_id(24)

    def signed_path(self, path: str) -> str:
        """The path as the client saw it: mostly with the mount, sometimes without (both accepted)."""
        return path if self.g.chance(0.2) else self.mount + path

    def sign(self, method: str, path: str, body: bytes, client: str = CLIENT, secret: str = SECRET,
             ts: Optional[str] = None, nonce: Optional[str] = None) -> dict:
        ts = ts if ts is not None else str(int(time.time()))
        nonce = nonce if nonce is not None else self.nonce()
        sig = signature(secret, client, nonce, ts, method, self.signed_path(path), body)
        return {"Authorization": header(client, ts, nonce, sig)}

    def hostile(self, method: str, path: str, body: bytes) -> tuple[str, dict]:
        """(tag, headers): a header the server must refuse with 401 for `method path body`."""
        g = self.g
        now = int(time.time())
        ts, nonce, sp = str(now), self.nonce(), self.signed_path(path)
        good = signature(SECRET, CLIENT, nonce, ts, method, sp, body)
        kind = g.pick(
            ["none", "bearer", "empty", "lowercase-scheme", "no-scheme", "missing-field", "unquoted",
             "bad-base64", "truncated-sig", "empty-sig", "wrong-secret", "unknown-client", "stale-ts",
             "future-ts", "bad-ts", "wrong-path", "wrong-method", "other-body", "empty-nonce",
             "huge-field", "unicode", "duplicate-field", "spaces"]
        )
        if kind == "none":
            return kind, {}
        if kind == "bearer":
            return kind, {"Authorization": "Bearer " + good}
        if kind == "empty":
            return kind, {"Authorization": g.pick(["", "HMAC", "HMAC ", "HMAC ,,,", 'HMAC ""'])}
        if kind == "lowercase-scheme":
            return kind, {"Authorization": "hmac" + header(CLIENT, ts, nonce, good)[4:]}
        if kind == "no-scheme":
            return kind, {"Authorization": header(CLIENT, ts, nonce, good)[5:]}
        if kind == "missing-field":
            parts = header(CLIENT, ts, nonce, good)[5:].split(",")
            parts.pop(g.rng.randrange(len(parts)))
            return kind, {"Authorization": "HMAC " + ",".join(parts)}
        if kind == "unquoted":
            return kind, {"Authorization": f"HMAC client_id={CLIENT},ts={ts},nonce={nonce},signature={good}"}
        if kind == "bad-base64":
            return kind, {"Authorization": header(CLIENT, ts, nonce, g.pick(["!!!!", "%%", good[:-3] + "*==", "=" * 8]))}
        if kind == "truncated-sig":
            return kind, {"Authorization": header(CLIENT, ts, nonce, good[: g.rng.randint(1, len(good) - 2)])}
        if kind == "empty-sig":
            return kind, {"Authorization": header(CLIENT, ts, nonce, "")}
        if kind == "wrong-secret":
            sig = signature(g.pick(["demo-secreT", "", "x" * 200, "😀"]), CLIENT, nonce, ts, method, sp, body)
            return kind, {"Authorization": header(CLIENT, ts, nonce, sig)}
        if kind == "unknown-client":
            client = g.pick(["no-such-client", "", "DEMO-CLIENT", "demo-client ", "😀", "a" * 3000])
            sig = signature(SECRET, client, nonce, ts, method, sp, body)
            return kind, {"Authorization": header(client, ts, nonce, sig).encode("utf-8")}
        if kind in ("stale-ts", "future-ts", "bad-ts"):
            if kind == "stale-ts":
                t = str(now - g.pick([301, 400, 3600, 86400 * 365, now]))
            elif kind == "future-ts":
                t = str(now + g.pick([301, 400, 3600, 86400 * 365 * 50]))
            else:
                t = g.pick(["", "abc", "1e9", "-1", str(2**70), str(now) + ".5", " " + str(now), "١٢٣"])
            sig = signature(SECRET, CLIENT, nonce, t, method, sp, body)
            return kind, {"Authorization": header(CLIENT, t, nonce, sig).encode("utf-8")}
        if kind == "wrong-path":
            bare = sp[len(self.mount):] if sp.startswith(self.mount + "/") else sp
            others = ["/mediator/api/get_token", "/mediator/api/get_data", "/mediator/api/orpheus/v2.0/api/get_data"]
            other = g.pick([o for o in others if o != bare] + [sp + "/", sp.upper(), "/"])
            sig = signature(SECRET, CLIENT, nonce, ts, method, other, body)
            return kind, {"Authorization": header(CLIENT, ts, nonce, sig)}
        if kind == "wrong-method":
            sig = signature(SECRET, CLIENT, nonce, ts, g.pick(["GET", "post", "PUT"]), sp, body)
            return kind, {"Authorization": header(CLIENT, ts, nonce, sig)}
        if kind == "other-body":
            sig = signature(SECRET, CLIENT, nonce, ts, method, sp, body + b" ")
            return kind, {"Authorization": header(CLIENT, ts, nonce, sig)}
        if kind == "empty-nonce":
            sig = signature(SECRET, CLIENT, "", ts, method, sp, body)
            return kind, {"Authorization": header(CLIENT, ts, "", sig)}
        if kind == "huge-field":
            big = "n" * g.pick([4096, 65536])
            sig = signature(SECRET, CLIENT, big, ts, method, sp, body)
            return kind, {"Authorization": header(CLIENT, ts, big, sig)}
        if kind == "unicode":
            n = "nönce😀" + nonce
            sig = signature(SECRET, CLIENT, n, ts, method, sp, body)
            return kind, {"Authorization": header(CLIENT, ts, n, sig).encode("utf-8")}
        if kind == "duplicate-field":
            return kind, {"Authorization": header(CLIENT, ts, nonce, good) + f',client_id="x",signature="{good}"'}
        # "spaces": the right values, laid out oddly (may be accepted or not; only its answer is checked)
        return kind, {"Authorization": f'HMAC  client_id = "{CLIENT}" , ts="{ts}",\tnonce="{nonce}", signature="{good}"'}
