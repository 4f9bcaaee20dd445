"""KYCAID: no published spec, so a hand-written model of its API (README, KYCAID)."""

from .target import Kycaid  # noqa: F401
