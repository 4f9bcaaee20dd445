"""What the Qolo fuzzer knows of the persons and subscriptions its logins made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional


@dataclass
class Person:
    guid: str
    login: str
    program: str
    marker: str  # its client_reference_id and additional_data.fz_marker, unique
    scenario: str = "cleared"  # what its last KYC run played (fields.SCENARIOS)
    last_name: Optional[str] = None
    govt_id: Optional[str] = None
    missing: Optional[str] = None  # the CDD field its details lack, if any
    status: str = ""
    questions: list = field(default_factory=list)  # pending: [{"key", "options", ...}]
    results: int = 0
    docs: list = field(default_factory=list)  # [(docpath under the mount, bytes)]
    flow: bool = True  # False: scratch, changed by a body the fuzzer does not model

    @property
    def complete(self) -> bool:
        return self.missing is None


@dataclass
class Notification:
    guid: str
    login: str
    body: dict
