"""Random values drawn from the one seeded stream of a target: strings that break things, wrong types,
dates, ids and e-mail addresses."""

from __future__ import annotations

import random

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
