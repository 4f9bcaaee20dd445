"""Valid fields for each KYCAID resource, drawn from the target's seeded stream (mutations break them
later): applicants (person or company), documents of every type, addresses, affiliated persons and
verifications. Ids of other resources come from `Kycaid.known`, so most references exist."""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ...values import Gen

if TYPE_CHECKING:
    from .target import Kycaid

# The identity documents: a number, issue and expiry dates and an issuing authority.
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
# The checks a verification may ask for (`types`).
CHECKS = ["DOCUMENT", "FACIAL", "ADDRESS", "AML", "FINANCIAL", "VIDEO", "COMPANY", "PROFILE"]


def person(t: Kycaid) -> dict:
    g = t.g
    f = {
        "type": "PERSON",
        "first_name": g.pick(["Jane", "Émile", "O'Neil", "Anne-Marie", "Zoë", "John", "Li"]),
        "last_name": g.pick(["Roe", "Smith", "Decline", "Doe", "de la Cruz", "Müller"]),
        "dob": g.date(),
        "gender": g.pick(["M", "F"]),
        "residence_country": g.pick(t.countries),
        "nationality": g.pick(t.countries),
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
    return trim(g, f, keep=["type"])

def company(t: Kycaid) -> dict:
    g = t.g
    f = {
        "type": "COMPANY",
        "company_name": g.pick(["Acme Ltd", "Ωmega GmbH", "Fuzz & Sons"]),
        "registration_country": g.pick(t.countries),
        "registration_number": str(g.rng.randint(1000, 99999999)),
        "business_activity_id": g.pick(t.activities),
        "tax_number": str(g.rng.randint(1000, 99999999)),
        "incorporation_date": g.date(),
        "website": "https://example.com",
        "email": g.email(),
        "phone": "+4420" + str(g.rng.randint(10000000, 99999999)),
    }
    return trim(g, f, keep=["type", "company_name"])


def applicant_fields(t: Kycaid, credential: Optional[str]) -> dict:
    return person(t) if t.g.chance(0.7) else company(t)


def trim(g: Gen, f: dict, keep: list) -> dict:
    """Drops some optional fields at random."""
    return {k: v for k, v in f.items() if k in keep or g.chance(0.7)}


def document_fields(t: Kycaid, credential: Optional[str]) -> dict:
    g = t.g
    doc_type = g.pick(DOC_TYPES)
    f: dict = {"applicant_id": t.known(credential, "applicants"), "type": doc_type}
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
    if doc_type in ID_TYPES:
        f.update(
            document_number=number,
            additional_number="X1",
            issue_date=g.date(),
            expiry_date=g.future_date(),
            issuing_authority="Fuzz office",
        )
    elif doc_type == "ADDRESS_DOCUMENT" or doc_type == "TAX_ID_NUMBER":
        f.update(document_number=number, issue_date=g.date(), issuing_authority="Fuzz office")
    elif doc_type == "CREDIT_CARD":
        f.update(
            card_number="4" + str(g.rng.randint(10**14, 10**15 - 1)), account_number="UA" + g.hex_id(10)
        )
    elif doc_type == "BANK_STATEMENT":
        f.update(account_number="GB" + g.hex_id(10), issue_date=g.date())
    elif doc_type == "FINANCIAL_DOCUMENT":
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
        if side == "front_side_id" and (doc_type == "SELFIE_IMAGE" or g.chance(0.7)) or g.chance(0.2):
            f[side] = t.known(credential, "files")
    return trim(g, f, keep=["applicant_id", "type", "front_side_id"])


def address_fields(t: Kycaid, credential: Optional[str]) -> dict:
    g = t.g
    f = {
        "applicant_id": t.known(credential, "applicants"),
        "type": g.pick(["REGISTERED", "ADDITIONAL", "BUSINESS"]),
        "full_address": "1 Fuzz Street, Kyiv",
        "country": g.pick(t.countries),
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
    return trim(g, f, keep=["applicant_id", "type"])


def affiliated_person_fields(t: Kycaid, credential: Optional[str]) -> dict:
    g = t.g
    f = {
        "type": g.pick(["AUTHORISED", "BENEFICIAL", "DIRECTOR", "SHAREHOLDER"]),
        "applicant_id": t.known(credential, "applicants"),
        "first_name": "Ann",
        "last_name": "Lee",
        "title": g.pick(["CEO", "x" * 37]),
        "dob": g.date(),
        "residence_country": g.pick(t.countries),
        "nationality": g.pick(t.countries),
        "email": g.email(),
        "phone": "+441234567890",
        "share": g.pick([0, 25, 100, 100.01, -1, "50"]),
    }
    return trim(g, f, keep=["type", "applicant_id"])


def verification_fields(t: Kycaid, credential: Optional[str]) -> dict:
    g = t.g
    f: dict = {"applicant_id": t.known(credential, "applicants")}
    if g.chance(0.4):
        f["types"] = g.rng.sample(CHECKS, g.rng.randint(0, 3))
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
    return f
