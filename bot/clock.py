"""The one clock. Core code takes `now` as an argument; edges get it from here."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    """Current time, UTC-aware (freezegun-friendly)."""
    return datetime.now(UTC)


def human_duration(seconds: int | None) -> str:
    """`1h 05m`, `3d 2h`, `45s`; `unknown` for None."""
    if seconds is None:
        return "unknown"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s" if secs else f"{sign}{minutes}m"
    return f"{sign}{secs}s"


def iso_week(moment: datetime, zone: ZoneInfo) -> str:
    """`2026-W48`: the ISO week of a moment's local date."""
    year, week, _ = moment.astimezone(zone).isocalendar()
    return f"{year}-W{week:02d}"
