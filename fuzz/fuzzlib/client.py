"""HTTP to the sandbox: every request has a client timeout, and a timeout or a dropped connection
comes back as an Outcome rather than an exception."""

from __future__ import annotations

import time
from typing import Optional

import requests

from .model import Outcome, Req

CHUNK = 4096  # the piece size of a chunked body


class HttpClient:
    def __init__(self, base_url: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.trust_env = False  # never a proxy: the sandbox is on loopback

    def send(self, url: str, req: Req) -> Outcome:
        data = req.body
        if req.chunked and data is not None:
            body = data
            data = (body[i : i + CHUNK] for i in range(0, max(len(body), 1), CHUNK))
        prepared = self.session.prepare_request(
            requests.Request(req.method, url, headers=dict(req.headers), data=data)
        )
        started = time.monotonic()
        try:
            resp = self.session.send(prepared, timeout=(self.timeout, self.timeout), allow_redirects=False)
            return Outcome(
                resp.status_code,
                {k.lower(): v for k, v in resp.headers.items()},
                resp.content,
                time.monotonic() - started,
            )
        except requests.exceptions.Timeout:
            return Outcome(None, {}, b"", time.monotonic() - started, "timeout")
        except requests.exceptions.RequestException as e:
            return Outcome(None, {}, b"", time.monotonic() - started, f"no-response: {e!r}"[:300])

    def health_error(self) -> Optional[str]:
        """None while the server answers /__admin/health at all, else why not."""
        try:
            self.session.get(self.base_url + "/__admin/health", timeout=self.timeout)
            return None
        except requests.exceptions.RequestException as e:
            return repr(e)

    def admin(self, method: str, path: str, body=None) -> Optional[requests.Response]:
        """A call to the admin API: not fuzzed, not counted."""
        try:
            return self.session.request(
                method, self.base_url + "/__admin" + path, json=body, timeout=self.timeout
            )
        except requests.exceptions.RequestException:
            return None
