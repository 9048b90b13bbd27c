"""Pure reminder and digest timing rules: no Slack, no database.

A due date is a day; the item falls due at DUE_TIME local time on that day, and is overdue
from DUE_TIME on the next day. Times are computed in the configured zone, so they stay at the
same wall-clock time across daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import DAYS

DUE_TIME = time(9, 0)
DIGEST_CATCH_UP = timedelta(days=1)


@dataclass(frozen=True)
class Reminder:
    """Which reminder an item needs now: its stage, dedupe suffix and when it fell due."""

    stage: str  # "before" | "overdue" | "assign"
    suffix: str
    due_at: datetime


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """That wall-clock time on that local day, in UTC (DST-correct)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def reminder_due(
    *,
    due: date | None,
    has_owner: bool,
    created_at: datetime,
    now: datetime,
    zone: ZoneInfo,
    before: int,
    overdue_every: int,
) -> Reminder | None:
    """The one reminder to plan for an open item at `now`, or None.

    Only the latest overdue reminder is planned, so downtime gives one late reminder, not one
    per missed interval. A before-reminder is skipped for items created after its moment.
    """
    if due is None:
        if has_owner or before <= 0:
            return None
        assign_at = created_at + timedelta(seconds=before)
        return Reminder("assign", "assign", assign_at) if now >= assign_at else None
    falls_due = local_moment(due, DUE_TIME, zone)
    overdue_from = local_moment(due + timedelta(days=1), DUE_TIME, zone)
    if now >= overdue_from:
        n = int((now - overdue_from).total_seconds() // overdue_every) if overdue_every > 0 else 0
        at = overdue_from + timedelta(seconds=overdue_every * n)
        return Reminder("overdue", f"overdue:{due.isoformat()}:{n}", at)
    if before > 0:
        before_at = falls_due - timedelta(seconds=before)
        if now >= before_at and created_at <= before_at:
            return Reminder("before", f"before:{due.isoformat()}", before_at)
    return None


def horizon(now: datetime, zone: ZoneInfo, before: int) -> date:
    """Items due after this local day cannot need a reminder yet."""
    return (now.astimezone(zone) + timedelta(seconds=before, days=1)).date()


def digest_moment(now: datetime, zone: ZoneInfo, day: str, at: time) -> datetime:
    """This ISO week's scheduled digest moment (local week containing `now`), in UTC."""
    local = now.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    return local_moment(monday + timedelta(days=DAYS.index(day)), at, zone)
