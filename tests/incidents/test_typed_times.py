"""Times and due dates as people type them, read in the typist's own zone (pure rules)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import IncidentError
from bot.parsing import parse_due, read_time

LA = ZoneInfo("America/Los_Angeles")
KOLKATA = ZoneInfo("Asia/Kolkata")
AT_00_10_IN_LA = datetime(2026, 11, 27, 8, 10, tzinfo=UTC)  # Fri 00:10 PST


def test_hh_mm_is_its_most_recent_past_occurrence() -> None:
    late = read_time("23:59", AT_00_10_IN_LA, LA)
    assert late.at == datetime(2026, 11, 27, 7, 59, tzinfo=UTC)  # Thu 23:59 PST
    assert late.reading == "read as 2026-11-26 23:59 America/Los_Angeles = 07:59 UTC on 2026-11-27"
    assert read_time("00:05", AT_00_10_IN_LA, LA).at == datetime(2026, 11, 27, 8, 5, tzinfo=UTC)
    # A minute ahead is "now" typed early (clocks differ), not yesterday.
    assert read_time("00:11", AT_00_10_IN_LA, LA).at == datetime(2026, 11, 27, 8, 11, tzinfo=UTC)
    assert read_time("yesterday 23:59", AT_00_10_IN_LA, LA).at == late.at
    assert read_time("Yesterday 00:05", AT_00_10_IN_LA, LA).at == datetime(
        2026, 11, 26, 8, 5, tzinfo=UTC
    )


def test_half_hour_offset() -> None:
    typed = read_time("10:00", AT_00_10_IN_LA, KOLKATA)  # 13:40 IST
    assert typed.at == datetime(2026, 11, 27, 4, 30, tzinfo=UTC)
    assert typed.reading == "read as 2026-11-27 10:00 Asia/Kolkata = 04:30 UTC"


def test_clock_change_day_in_los_angeles() -> None:
    noon = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # Sun 12:00 PST; 01:00-02:00 happened twice
    with pytest.raises(IncidentError) as caught:
        read_time("01:30", noon, LA)
    assert caught.value.message == (
        "`01:30` is ambiguous: 2026-11-01 01:30 happens twice in America/Los_Angeles (the "
        "clocks went back). Give the offset: 2026-11-01T01:30-07:00 for the first, "
        "2026-11-01T01:30-08:00 for the second."
    )
    assert read_time("2026-11-01T01:30-08:00", noon, LA).at == datetime(
        2026, 11, 1, 9, 30, tzinfo=UTC
    )
    assert read_time("03:00", noon, LA).at == datetime(2026, 11, 1, 11, 0, tzinfo=UTC)  # PST
    assert read_time("yesterday 23:00", noon, LA).at == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)
    spring = datetime(2026, 3, 8, 20, 0, tzinfo=UTC)  # 02:00-03:00 PST never happened
    with pytest.raises(IncidentError, match="is skipped in America/Los_Angeles"):
        read_time("02:30", spring, LA)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("noon", "`noon` is not a time: use HH:MM, yesterday HH:MM"),
        ("24:00", "(read in Asia/Kolkata)"),
        ("2026-11-26T10:00:00", "has no offset"),
        ("2026-11-28 10:00", "is in the future (read as 2026-11-28 10:00 Asia/Kolkata = 04:30"),
        ("tomorrow 10:00", "is not a time"),
    ],
)
def test_every_time_error_names_the_zone(raw: str, expected: str) -> None:
    with pytest.raises(IncidentError) as caught:
        read_time(raw, AT_00_10_IN_LA, KOLKATA)
    assert expected in caught.value.message
    assert "Asia/Kolkata" in caught.value.message and "\n" not in caught.value.message


FRIDAY = date(2026, 11, 27)
WEDNESDAY = date(2026, 11, 25)
SATURDAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("typed", "today", "due"),
    [
        ("2026-12-01", WEDNESDAY, date(2026, 12, 1)),
        ("today", WEDNESDAY, WEDNESDAY),
        ("tomorrow", WEDNESDAY, date(2026, 11, 26)),
        ("in 3 days", WEDNESDAY, date(2026, 11, 28)),
        ("in 1 day", WEDNESDAY, date(2026, 11, 26)),
        ("in 2 weeks", WEDNESDAY, date(2026, 12, 9)),
        ("in a week", WEDNESDAY, date(2026, 12, 2)),
        ("friday", WEDNESDAY, FRIDAY),
        ("Friday", FRIDAY, FRIDAY),  # on a Friday, "friday" is today
        ("fri", SATURDAY, date(2026, 12, 4)),
        ("monday", WEDNESDAY, date(2026, 11, 30)),
        ("next friday", WEDNESDAY, date(2026, 12, 4)),  # the Friday of next week
        ("next friday", FRIDAY, date(2026, 12, 4)),
        ("next monday", SATURDAY, date(2026, 11, 30)),  # next week starts on Monday
        ("next  Wednesday", WEDNESDAY, date(2026, 12, 2)),
        ("eow", WEDNESDAY, FRIDAY),
        ("eow", FRIDAY, FRIDAY),
        ("eow", SATURDAY, date(2026, 12, 4)),
    ],
)
def test_due_date_forms(typed: str, today: date, due: date) -> None:
    assert parse_due(typed, today) == due


@pytest.mark.parametrize(
    "typed", ["someday", "next week", "friday week", "2026-02-30", "in -1 days"]
)
def test_other_due_dates_are_refused_naming_the_forms(typed: str) -> None:
    with pytest.raises(IncidentError) as caught:
        parse_due(typed, WEDNESDAY)
    assert caught.value.message == (
        f"`{typed}` is not a due date: use YYYY-MM-DD, today, tomorrow, in N days, in N weeks, "
        "a weekday (friday: the coming one), next friday (next week's) or eow (this week's "
        "Friday)."
    )


def test_a_past_due_date_is_refused() -> None:
    with pytest.raises(IncidentError, match="`2026-11-24` is in the past"):
        parse_due("2026-11-24", WEDNESDAY)
