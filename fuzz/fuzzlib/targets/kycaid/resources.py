"""KYCAID's resources, declared for the generic create, read, update and delete (fuzzlib/resources.py).
Files are uploads rather than fields: their create and replace are in operations.py."""

from __future__ import annotations

from ...resources import Resource
from . import fields

APPLICANTS = Resource(
    "applicants",
    "applicant_id",
    fields.applicant_fields,
    update_methods=("PATCH", "PATCH", "PUT"),
    valid_is_accepted=True,
)
FILES = Resource("files", "file_id", update_methods=("PUT",), raw=True)
DOCUMENTS = Resource(
    "documents",
    "document_id",
    fields.document_fields,
    owner="applicant_id",
    id_fields=("front_side_id", "back_side_id"),
    update_methods=("PATCH", "PUT"),
    foreign_fields=("card_number", "income_sources", "document_number", "annual_income"),
)
ADDRESSES = Resource("addresses", "address_id", fields.address_fields, owner="applicant_id")
AFFILIATED_PERSONS = Resource(
    "affiliated-persons", "affiliated_person_id", fields.affiliated_person_fields, owner="applicant_id"
)
VERIFICATIONS = Resource("verifications", "verification_id", fields.verification_fields, owner="applicant_id")

RESOURCES = (APPLICANTS, FILES, DOCUMENTS, ADDRESSES, AFFILIATED_PERSONS, VERIFICATIONS)
