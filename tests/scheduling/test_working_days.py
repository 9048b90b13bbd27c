"""Reminders at 09:00 in the owner's zone, on working days (pure timing rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.scheduling.cadence import reminder_due

LA = ZoneInfo("America/Los_Angeles")
DAY = 86400
CREATED = datetime(2026, 11, 23, 12, tzinfo=UTC)  # a Monday


def _plan(due: date, now: datetime, every: int = 7 * DAY, before: int = DAY) -> object:
    return reminder_due(
        due=due,
        has_owner=True,
        created_at=CREATED,
        now=now,
        zone=LA,
        before=before,
        overdue_every=every,
    )


def la(day: int, hour: int = 9) -> datetime:
    """That day of November 2026, at that hour in Los Angeles (PST, UTC−8), in UTC."""
    return datetime(2026, 11, day, hour, tzinfo=LA).astimezone(UTC)


def test_a_weekend_due_date_is_reminded_on_the_friday_before_at_nine_local() -> None:
    sunday = date(2026, 11, 29)
    assert _plan(sunday, la(27) - timedelta(seconds=1)) is None
    before = _plan(sunday, la(27))
    assert before.stage == "before" and before.due_at == la(27)  # type: ignore[attr-defined]
    assert before.due_at == datetime(2026, 11, 27, 17, tzinfo=UTC)  # type: ignore[attr-defined]
    monday = _plan(date(2026, 11, 30), la(28))  # 1 day before Monday is Sunday: Friday too
    assert monday.due_at == la(27)  # type: ignore[attr-defined]


def test_overdue_is_never_sent_on_a_weekend() -> None:
    friday = date(2026, 11, 27)
    assert _plan(friday, la(28, 10)) is None  # Saturday: overdue from Monday 09:00
    assert _plan(friday, la(29, 23)) is None
    overdue = _plan(friday, la(30))
    assert (overdue.stage, overdue.due_at) == ("overdue", la(30))  # type: ignore[attr-defined]


def test_daily_overdue_reminders_skip_the_weekend_and_resume_once_on_monday() -> None:
    wednesday = date(2026, 11, 25)
    keys = {}
    for day, hour in ((26, 9), (27, 9), (28, 9), (29, 9), (30, 8), (30, 9), (30, 12)):
        plan = _plan(wednesday, la(day, hour), every=DAY)
        keys[(day, hour)] = (plan.suffix, plan.due_at)  # type: ignore[attr-defined]
    thursday, friday = ("overdue:2026-11-25:0", la(26)), ("overdue:2026-11-25:1", la(27))
    assert keys[(26, 9)] == thursday and keys[(27, 9)] == friday
    # Saturday, Sunday and Monday before 09:00 plan Friday's again (already sent: deduplicated)
    assert keys[(28, 9)] == keys[(29, 9)] == keys[(30, 8)] == friday
    assert keys[(30, 9)] == keys[(30, 12)] == ("overdue:2026-11-25:4", la(30))
