"""Qolo (`/qolo`, paths `/api/v1/…`): login, persons, Perform KYC, document images and notifications
(README, Qolo)."""

from .target import Qolo  # noqa: F401
