"""Pure rules: naming, milestone order, time parsing, durations."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.clock import human_duration
from bot.errors import IncidentError
from bot.incidents.rules import MilestoneTimes, channel_name, check_milestone_order, durations
from bot.parsing import parse_due, parse_time, parse_user

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def test_channel_name_follows_slack_rules() -> None:
    assert channel_name("inc", 42, "Checkout is DOWN!! (EU)") == "inc-42-checkout-is-down-eu"
    long = channel_name("inc", 7, "x" * 300)
    assert len(long) == 80 and long.startswith("inc-7-x")
    assert channel_name("inc", 7, "Café über Straße") == "inc-7-cafe-uber-strae"
    assert channel_name("inc", 7, "!!!") == "inc-7"
    assert channel_name("inc", 7, "db", attempt=1) == "inc-7-db-2"
    assert len(channel_name("inc", 7, "y" * 300, attempt=3)) == 80


def test_parse_time_forms() -> None:
    assert parse_time("13:50", NOW, BERLIN) == datetime(2026, 11, 26, 12, 50, tzinfo=UTC)
    assert parse_time("2026-11-25 23:10", NOW, BERLIN) == datetime(2026, 11, 25, 22, 10, tzinfo=UTC)
    assert parse_time("2026-11-26T09:00-05:00", NOW, BERLIN) == datetime(
        2026, 11, 26, 14, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("now", "zone", "typed", "expected"),
    [
        # 23:30 UTC on the 26th is 08:30 on the 27th in Tokyo (UTC+9): 08:00 is on the 27th.
        (datetime(2026, 11, 26, 23, 30, tzinfo=UTC), "Asia/Tokyo", "08:00", (2026, 11, 26, 23)),
        # 02:00 UTC on the 27th is 21:00 on the 26th in New York (UTC-5): 20:00 is on the 26th.
        (datetime(2026, 11, 27, 2, 0, tzinfo=UTC), "America/New_York", "20:00", (2026, 11, 27, 1)),
    ],
)
def test_hh_mm_is_on_todays_date_where_the_person_is(
    now: datetime, zone: str, typed: str, expected: tuple[int, ...]
) -> None:
    assert parse_time(typed, now, ZoneInfo(zone)) == datetime(*expected, tzinfo=UTC)


@pytest.mark.parametrize("raw", ["25:00", "noon", "2026-13-01 10:00", "2026-11-26T10:00:00"])
def test_parse_time_rejects_bad_input(raw: str) -> None:
    with pytest.raises(IncidentError):
        parse_time(raw, NOW, BERLIN)


def test_parse_time_rejects_future_and_ambiguous() -> None:
    with pytest.raises(IncidentError, match=r"future \(read as 2026-11-26 17:00 Europe/Berlin"):
        parse_time("2026-11-26 17:00", NOW, BERLIN)
    # 2026-10-25 02:30 happens twice in Berlin (clocks go back at 03:00 CEST).
    later = datetime(2026, 10, 26, tzinfo=UTC)
    with pytest.raises(IncidentError, match="ambiguous"):
        parse_time("2026-10-25 02:30", later, BERLIN)
    # 2026-03-29 02:30 never happens in Berlin.
    with pytest.raises(IncidentError, match="does not exist"):
        parse_time("2026-03-29 02:30", later, BERLIN)


def test_milestone_order() -> None:
    t = MilestoneTimes(
        started=datetime(2026, 1, 1, 10, tzinfo=UTC),
        detected=None,
        declared=datetime(2026, 1, 1, 11, tzinfo=UTC),
        acknowledged=None,
        mitigated=datetime(2026, 1, 1, 12, tzinfo=UTC),
        resolved=None,
    )
    check_milestone_order(t, "detected", datetime(2026, 1, 1, 10, 30, tzinfo=UTC))
    with pytest.raises(IncidentError, match="before started"):
        check_milestone_order(t, "detected", datetime(2026, 1, 1, 9, tzinfo=UTC))
    with pytest.raises(IncidentError, match="after mitigated"):
        check_milestone_order(t, "acknowledged", datetime(2026, 1, 1, 13, tzinfo=UTC))


def test_durations_use_declared_for_missing_start() -> None:
    declared = datetime(2026, 1, 1, 11, tzinfo=UTC)
    t = MilestoneTimes(
        started=None,
        detected=None,
        declared=declared,
        acknowledged=datetime(2026, 1, 1, 11, 5, tzinfo=UTC),
        mitigated=datetime(2026, 1, 1, 12, tzinfo=UTC),
        resolved=None,
    )
    assert durations(t) == {
        "time_to_detect": None,
        "time_to_acknowledge": 300,
        "time_to_mitigate": 3600,
        "time_to_resolve": None,
    }
    assert human_duration(None) == "unknown"
    assert human_duration(3900) == "1h 05m"
    assert human_duration(90061) == "1d 1h"


def test_parse_due_and_user() -> None:
    today = date(2026, 11, 26)
    assert parse_due("today", today) == today
    assert parse_due("2026-11-26", today) == today  # due today is not in the past
    assert parse_due("tomorrow", today) == date(2026, 11, 27)
    assert parse_due("in 3 days", today) == date(2026, 11, 29)
    assert parse_due("2026-12-01", today) == date(2026, 12, 1)
    with pytest.raises(IncidentError, match="past"):
        parse_due("2026-11-01", today)
    with pytest.raises(IncidentError, match="not a due date"):
        parse_due("someday", today)
    assert parse_user("<@U123|alice>") == "U123"
    with pytest.raises(IncidentError):
        parse_user("alice")
