"""Valid Qolo bodies (persons, Perform KYC, notifications), the scenario each person body plays and
the status README says it reaches, document images, and the nested mutations of any body."""

from __future__ import annotations

import base64
import copy
import struct
from typing import Optional

from ...samples import GIF, JPEG, PDF, png_bytes
from ...values import Gen

CDD = "3fa0d2ea-ffcf-485d-94ed-dbf4f861ad2f"
SDD = "5a8e0f6c-2d4b-4e9a-8c1f-6b3d7e2a9c41"
OTHER_TOP = "c2f7b9d4-8e1a-4f3c-b6d2-9a0e5c7f1b38"  # CDD, its own top program
PROGRAMS = {CDD: "CDD", SDD: "SDD", OTHER_TOP: "CDD"}
TOP = {CDD: "top", SDD: "top", OTHER_TOP: OTHER_TOP}

RESTRICTED = {"Sanctioned": "SANCTIONED", "Pep": "PEP", "Neglist": "NEGLIST"}
# govt_id_number -> (scenario, questions asked, answers can pass, a document passes)
MAGIC_IDS = {
    "999000101": ("oow-pass", True, True, True),
    "999000102": ("oow-fail", True, False, True),
    "999000103": ("unverified", False, False, True),
    "999000104": ("document-rejected", False, False, False),
}
GOVT_ID_TYPES = ["SSN", "ITIN", "PASSPORT", "DRIVERS_LICENSE", "NATIONAL_ID", "OTHER"]
DOCUMENT_TYPES = ["PASSPORT", "DRIVERS_LICENSE", "ID_CARD", "RESIDENCE_PERMIT", "OTHER"]
EVENT_TYPES = ["all", "person.created", "person.updated", "person.verification.success", "card.created"]
COUNTRIES = ["USA", "CAN", "GBR", "DEU", "LTU", "MEX", "usa"]
FIRST = ["Alex", "Maria", "Jonas", "Zoë", "Li", "O'Neil", "Anne-Marie"]
LAST = ["Rivera", "Smith", "Kowalski", "Nguyen", "García", "Ng"]
HOOK = "http://127.0.0.1:9/qolo-hook"  # loopback, closed: the sandbox really posts webhooks


def bmp_bytes() -> bytes:
    pixel = b"\x00\x00\xff\x00"
    header = b"BM" + struct.pack("<IHHI", 14 + 40 + len(pixel), 0, 0, 54)
    info = struct.pack("<IiiHHIIiiII", 40, 1, 1, 1, 24, 0, len(pixel), 2835, 2835, 0, 0)
    return header + info + pixel


TIFF = b"II*\x00\x08\x00\x00\x00\x00\x00"
WEBP = b"RIFF\x1a\x00\x00\x00WEBPVP8L\x0d\x00\x00\x00/\x00\x00\x00\x10\x07\x10\x11\x11\x88\x88\xfe\x07\x00"
# file_type -> bytes of that type
IMAGES = {"PNG": png_bytes(), "JPG": JPEG, "JPEG": JPEG, "GIF": GIF, "BMP": bmp_bytes(), "TIFF": TIFF}
NOT_IMAGES = [PDF, b"PK\x03\x04zip", b"hello, world", b"\x00" * 64, b"<svg xmlns='http://www.w3.org/2000/svg'/>"]


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def scenario_of(last_name: Optional[str], govt_id: Optional[str]) -> str:
    """The built-in scenario a KYC run plays for these facts (README, Scenarios and magic values)."""
    if last_name in RESTRICTED:
        return last_name
    magic = MAGIC_IDS.get("".join(c for c in (govt_id or "") if c.isalnum()))
    return magic[0] if magic else "cleared"


def forced_name(scenario: str) -> str:
    """The X-Sandbox-Scenario name of a scenario."""
    return "qolo-" + scenario.lower()


SCENARIOS = ["cleared", "oow-pass", "oow-fail", "unverified", "document-rejected", *RESTRICTED]


def expected_status(program: str, scenario: str, complete: bool) -> tuple[str, bool]:
    """(person_status, out-of-wallet questions pending) README says a KYC run reaches."""
    if scenario in RESTRICTED:
        return RESTRICTED[scenario], False
    if PROGRAMS[program] == "SDD":
        return "CLEARED", False
    if not complete:
        return "INCOMPLETE", False
    magic = next((v for v in MAGIC_IDS.values() if v[0] == scenario), None)
    if magic:
        return "UNVERIFIED", magic[1]
    return "CLEARED", False


def address(g: Gen, full: bool = True) -> dict:
    a = {"address_line1": f"{g.rng.randint(1, 9999)} Oak St", "city": g.pick(["Austin", "Vilnius", "Toronto", "São Paulo"]),
         "country": g.pick(COUNTRIES)}
    if full or g.chance(0.5):
        a["state"] = g.pick(["TX", "CA", "Ontario", "NY"])
    if full or g.chance(0.5):
        a["postal_code"] = g.pick(["73301", "LT-01100", "M5V 2T6", "12345-6789"][: 4])
    if g.chance(0.3):
        a["address_line2"] = "Apt " + str(g.rng.randint(1, 99))
    return a


def optional_details(g: Gen) -> dict:
    """Valid values of the PersonDTO fields no scenario looks at."""
    options = {
        "title": lambda: g.pick(["Mr", "Ms", "Dr", "Mx"]),
        "middle_name": lambda: g.pick(["J", "Lee", "Ångström"]),
        "email": lambda: g.email(),
        "mobile_number": lambda: g.pick(["+1 512 555 0100", "5125550100", "(512) 555-0100"]),
        "home_number": lambda: "+370 600 00000",
        "office_number": lambda: "+44 20 7946 0958",
        "mailing_address": lambda: address(g, False),
        "billing_address": lambda: address(g, False),
        "nationality": lambda: g.pick(COUNTRIES),
        "ip_address": lambda: g.pick(["203.0.113.7", "2001:db8::1", "127.0.0.1"]),
        "contact_type": lambda: g.pick(["INDIVIDUAL", "CORPORATE", "individual"]),
        "market_notification_optin": lambda: g.chance(0.5),
        "market_notification_optin_date": lambda: g.pick(["2024-05-01T10:00:00Z", "2024-05-01T10:00:00+02:00"]),
        "address_lat": lambda: g.pick([30.2672, -90, 0, 54.6872]),
        "address_lon": lambda: g.pick([-97.7431, 180, 25.2797]),
    }
    return {k: f() for k, f in options.items() if g.chance(0.3)}


def person_body(g: Gen, marker: str, kind: str, program: str) -> tuple[dict, Optional[str], Optional[str], Optional[str]]:
    """A valid CreatePerson body for scenario `kind` (or "incomplete"):
    (body, last_name, govt_id_number, the CDD field it lacks or None)."""
    last = g.pick(LAST)
    govt = "".join(g.pick("12345678") for _ in range(9))
    missing = None
    if kind in RESTRICTED:
        last = kind
    elif kind in ("oow-pass", "oow-fail", "unverified", "document-rejected"):
        govt = next(k for k, v in MAGIC_IDS.items() if v[0] == kind)
        if g.chance(0.2):
            govt = f"{govt[:3]}-{govt[3:5]}-{govt[5:]}"  # only letters and digits count (README)
    d = {"first_name": g.pick(FIRST), "last_name": last, "birth_date": g.date(), "base_address": address(g),
         "identifications": [{"govt_id_type": g.pick(GOVT_ID_TYPES), "govt_id_number": govt}],
         "client_reference_id": marker, "additional_data": {"fz_marker": marker}}
    if g.chance(0.2):
        d["identifications"].insert(0, {"govt_id_type": "NOTPROVIDED", "govt_id_number": ""})
    if kind == "incomplete":
        gone = g.pick(["first_name", "birth_date", "base_address", "identifications", "address_line1", "city", "notprovided"])
        if gone == "notprovided":
            d["identifications"] = [{"govt_id_type": "NOTPROVIDED", "govt_id_number": govt}]
        elif gone in ("address_line1", "city"):
            d["base_address"].pop(gone)
        else:
            d.pop(gone)
        missing = gone
        if gone in ("identifications", "notprovided"):
            govt = None
    d.update(optional_details(g))
    body = {"program_guid": program, "person_details": d}
    if g.chance(0.3):
        body["create_account"] = g.chance(0.5)
        if body["create_account"]:
            body["account_name"] = "Fuzz account"
            if g.chance(0.5):
                body["account_type"] = g.pick(["GENERAL", "SECURE", "credit"])
            if g.chance(0.5):
                body["account_currencies"] = g.pick([["USD"], ["USD", "EUR"], []])
    return body, last, govt, missing


def document(g: Gen, file_type: Optional[str] = None) -> tuple[dict, dict]:
    """(a valid Perform KYC `document`, {side: bytes sent})."""
    file_type = file_type or g.pick(list(IMAGES))
    sent = {"front": IMAGES[file_type]}
    if g.chance(0.5):
        sent["back"] = IMAGES[file_type]
    if g.chance(0.5):
        sent["face_image"] = g.pick([png_bytes(2, 2), JPEG, WEBP])
    doc = {"document_type": g.pick(DOCUMENT_TYPES), "file_type": file_type.lower() if g.chance(0.1) else file_type}
    for side, data in sent.items():
        text = b64(data)
        if side == "front" and g.chance(0.1):
            text = "data:image/x;base64," + text  # the data-URL prefix is allowed
        doc[side] = text
    if g.chance(0.5):
        doc["issuing_country"] = g.pick(COUNTRIES)
    if g.chance(0.5):
        doc["liveness_detected"] = g.chance(0.5)
    return doc, sent


def bad_image(g: Gen, file_type: str) -> tuple[str, str]:
    """(tag, a base64 field that must be refused): bad base64, not an image, or not the declared type."""
    kind = g.pick(["bad-base64", "not-image", "wrong-type", "empty", "urlsafe", "no-padding", "huge-not-image"])
    if kind == "bad-base64":
        return kind, g.pick(["!!!!", "%%%", "abc", "====", "ab=c", g.weird_string() or "x y"])
    if kind == "not-image":
        return kind, b64(g.pick(NOT_IMAGES))
    if kind == "wrong-type":
        other = g.pick([t for t in IMAGES if IMAGES[t] != IMAGES[file_type]] + ["WEBP"])
        return kind, b64(WEBP if other == "WEBP" else IMAGES[other])
    if kind == "empty":
        return kind, g.pick(["", " ", "data:image/png;base64,"])
    if kind == "urlsafe":
        return kind, base64.urlsafe_b64encode(b"\xfb\xff" * 30 + png_bytes()).decode()
    if kind == "no-padding":
        return kind, b64(png_bytes() + b"x").rstrip("=")
    return kind, b64(b"\x00" * g.pick([100_000, 1_000_000]))


def notification_body(g: Gen) -> dict:
    b = {"program_guid": g.pick(list(PROGRAMS)), "url": HOOK + g.pick(["", "?x=1", "/" + g.hex_id(8)]),
         "event_type": g.rng.sample(EVENT_TYPES, g.rng.randint(1, 3))}
    if g.chance(0.4):
        b["headers"] = {"X-Fuzz": g.hex_id(8)}
    if g.chance(0.4):
        b["secret"] = g.hex_id(32)
    if g.chance(0.4):
        b["active"] = g.chance(0.5)
    return b


# -- mutations of nested bodies

def slots(value, path=()):
    """The (container, key, path)s of a nested body, down to 6 levels and 20 items a list (a body
    an earlier mutation made deep or long stays cheap to walk)."""
    if len(path) >= 6:
        return
    if isinstance(value, dict):
        for k, v in list(value.items()):
            yield value, k, path + (k,)
            yield from slots(v, path + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value[:20]):
            yield value, i, path + (i,)
            yield from slots(v, path + (i,))


def deep(n: int):
    v: object = "x"
    for _ in range(n):
        v = [v]
    return v


def mutate(g: Gen, body: dict, keep: tuple = ()) -> tuple[dict, str]:
    """(body, "mutated:...") with 1 to 3 nested changes; top-level keys in `keep` are left alone."""
    b, tags = copy.deepcopy(body), []
    for _ in range(g.rng.randint(1, 3)):
        places = [s for s in slots(b) if not (s[2] and s[2][0] in keep)]
        op = g.pick(["drop", "wrong-type", "weird-string", "null", "unknown-field", "bad-date", "bad-country",
                     "bad-guid", "case", "deep", "huge-list", "empty"])
        if not places:
            op = "unknown-field"
        if op == "unknown-field":
            target = g.pick([b] + [c[k] for c, k, _ in places if isinstance(c[k], dict)])
            target[g.pick(["__proto__", "", "😀", "x" * 300, "person_status", "verfication_level", "$type"])] = g.wrong_type()
        else:
            c, k, _ = g.pick(places)
            if op == "drop":
                c.pop(k) if isinstance(c, dict) else c.pop(k)
            elif op == "wrong-type":
                c[k] = g.wrong_type(c[k])
            elif op == "weird-string":
                c[k] = g.weird_string()
            elif op == "null":
                c[k] = None
            elif op == "bad-date":
                c[k] = g.bad_date()
            elif op == "bad-country":
                c[k] = g.pick(["US", "XXX", "U S", "usa ", "ÜSA", "840", ""])
            elif op == "bad-guid":
                c[k] = g.bad_id()
            elif op == "case":
                c[k] = c[k].swapcase() if isinstance(c[k], str) else c[k]
            elif op == "deep":
                c[k] = deep(g.pick([50, 200, 600]))  # deeper: bodies.broken_body (raw bytes)
            elif op == "huge-list":
                # scalars only: a long list of a container an earlier mutation made long or deep
                # multiplies out to gigabytes
                item = c[k] if not isinstance(c[k], (list, dict)) and len(str(c[k])) < 2000 else "x"
                c[k] = [item] * g.pick([100, 5000])
            else:
                c[k] = g.pick(["", [], {}, " "])
        tags.append(op)
    return b, "mutated:" + "+".join(sorted(set(tags)))
