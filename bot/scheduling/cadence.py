"""Pure reminder and digest timing rules: no Slack, no database.

A due date is a day in its owner's calendar; the item falls due at DUE_TIME in the owner's
zone on that day, and is overdue from DUE_TIME on the next day, so reminders stay at the same
wall-clock time across daylight-saving changes. Reminders go out on working days (Monday to
Friday): a due-soon reminder that would fall on a weekend comes on the Friday before, an
overdue one on the Monday after (before the due date it would not be overdue yet).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.config import DAYS

DUE_TIME = time(9, 0)
DIGEST_CATCH_UP = timedelta(days=1)
SATURDAY = 5


@dataclass(frozen=True)
class Reminder:
    """Which reminder an item needs now: its stage, dedupe suffix and when it fell due."""

    stage: str  # "before" | "overdue" | "assign"
    suffix: str
    due_at: datetime


def local_moment(day: date, at: time, zone: ZoneInfo) -> datetime:
    """That wall-clock time on that local day, in UTC (DST-correct)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def on_working_day(moment: datetime, zone: ZoneInfo, *, later: bool) -> datetime:
    """The same local time on the nearest working day: the Friday before a weekend, or
    (`later`) the Monday after it."""
    local = moment.astimezone(zone)
    if local.weekday() < SATURDAY:
        return moment
    shift = (7 - local.weekday()) if later else -(local.weekday() - SATURDAY + 1)
    return local_moment(local.date() + timedelta(days=shift), local.time(), zone)


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
    """The one reminder to plan for an open item at `now`, or None; `zone` is the owner's.

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
        return _overdue(due, overdue_from, now, zone, overdue_every)
    if before > 0:
        before_at = on_working_day(falls_due - timedelta(seconds=before), zone, later=False)
        if now >= before_at and created_at <= before_at:
            return Reminder("before", f"before:{due.isoformat()}", before_at)
    return None


def _overdue(
    due: date, first: datetime, now: datetime, zone: ZoneInfo, every: int
) -> Reminder | None:
    """The latest overdue reminder whose working-day moment has come.

    Slots are `first` + n·every; one on a weekend is sent on the Monday after, and slots that
    land on the same weekend are sent once (the latest)."""
    n = int((now - first).total_seconds() // every) if every > 0 else 0
    slot = first + timedelta(seconds=every * n)
    at = on_working_day(slot, zone, later=True)
    if at <= now:
        return Reminder("overdue", f"overdue:{due.isoformat()}:{n}", at)
    # Still the weekend: the slot before it (planned, and so deduplicated, already).
    local = slot.astimezone(zone)
    saturday = local.date() - timedelta(days=local.weekday() - SATURDAY)
    weekend = datetime.combine(saturday, time(0), tzinfo=zone).astimezone(UTC)
    if every <= 0 or weekend <= first:
        return None
    k = -int(-(weekend - first).total_seconds() // every) - 1  # the last slot before it
    return Reminder(
        "overdue", f"overdue:{due.isoformat()}:{k}", first + timedelta(seconds=every * k)
    )


def update_due(
    *, declared: datetime, last: datetime | None, promised: datetime | None, every: int
) -> datetime | None:
    """When the next stakeholder update is due: what its last author promised, else `every`
    seconds after the last update (or the declaration); None when nothing is due (off)."""
    if promised is not None:
        return promised
    if every <= 0:
        return None
    return (last or declared) + timedelta(seconds=every)


def horizon(now: datetime, before: int) -> date:
    """Items due after this day cannot need a reminder yet, in any zone (±14 h) and however
    far a weekend moves a reminder back (2 days)."""
    return (now.astimezone(UTC) + timedelta(seconds=before, days=4)).date()


def digest_moment(now: datetime, zone: ZoneInfo, day: str, at: time) -> datetime:
    """This ISO week's scheduled digest moment (local week containing `now`), in UTC."""
    local = now.astimezone(zone).date()
    monday = local - timedelta(days=local.weekday())
    return local_moment(monday + timedelta(days=DAYS.index(day)), at, zone)
