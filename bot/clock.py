"""The one clock. Core code takes `now` as an argument; edges get it from here."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Current time, UTC-aware (freezegun-friendly)."""
    return datetime.now(UTC)
