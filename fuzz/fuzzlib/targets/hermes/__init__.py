"""ZealID Hermes: the login (`/authorize`), `get_token`, `get_data` and picture links (README, ZealID Hermes)."""

from .target import Hermes  # noqa: F401
