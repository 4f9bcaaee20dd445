"""The providers the fuzzer knows; importing this package registers each one's target."""

from . import hermes, kycaid, qolo  # noqa: F401
