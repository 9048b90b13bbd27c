"""Times people type, read in their own Slack zone, through signed HTTP into the running app."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import Incident, TimelineEntry
from tests.support.harness import SlackHarness

LARA, KIRAN, NOZONE = "U7", "U8", "U9"  # Los Angeles, Kolkata, a profile without a zone
AT_00_10_IN_LA = datetime(2026, 11, 27, 8, 10, tzinfo=UTC)  # Fri 00:10 PST, 13:40 IST


@pytest.fixture
def app(make_slack: Callable[..., SlackHarness]) -> SlackHarness:
    slack = make_slack()
    slack.fake.add_user(LARA, "lara", tz="America/Los_Angeles")
    slack.fake.add_user(KIRAN, "kiran", tz="Asia/Kolkata")
    slack.fake.add_user(NOZONE, "nozone", tz=None)
    slack.clock = lambda: AT_00_10_IN_LA
    return slack


def _incident(app: SlackHarness) -> Incident:
    with app.deps.db.unit_of_work() as session:
        return session.scalars(select(Incident)).one()


def _entry(app: SlackHarness, text: str) -> TimelineEntry:
    with app.deps.db.unit_of_work() as session:
        return session.scalars(select(TimelineEntry).where(TimelineEntry.text == text)).one()


def _type(app: SlackHarness, text: str, user: str, channel: str) -> str:
    """Type a change and wait for what the channel sees."""
    before = len(app.posts(channel))
    app.command(text, user=user, channel=channel)
    app.fake.wait_for(lambda f: len(app.posts(channel)) > before)
    return app.posts(channel)[before]


def _refused(app: SlackHarness, text: str, user: str, channel: str) -> str:
    app.forget_replies()
    app.command(text, user=user, channel=channel)
    (line,) = app.wait_reply()
    assert "\n" not in line
    return line


def _token(moment: datetime) -> str:
    """The start of Slack's date token: every reader sees the moment in their own zone."""
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|"


def test_23_59_typed_at_00_10_in_los_angeles_is_yesterday(app: SlackHarness) -> None:
    channel = app.declare("Checkout down", user=LARA)
    post = _type(app, "note at 23:59 deploy 4.2 finished", LARA, channel)
    entry = _entry(app, "deploy 4.2 finished")
    assert entry.at == datetime(2026, 11, 27, 7, 59, tzinfo=UTC)  # Thu 23:59 PST
    assert _token(entry.at) in post  # the backdated echo: each reader's own zone
    _type(app, "started at yesterday 23:50", LARA, channel)
    assert _incident(app).started_at == datetime(2026, 11, 27, 7, 50, tzinfo=UTC)


def test_a_half_hour_zone(app: SlackHarness) -> None:
    channel = app.declare("Payments slow", user=KIRAN)
    post = _type(app, "started at 10:00", KIRAN, channel)  # typed at 13:40 IST
    started = datetime(2026, 11, 27, 4, 30, tzinfo=UTC)
    assert _incident(app).started_at == started
    assert _token(started) in post


def test_a_clock_change_day_in_los_angeles(app: SlackHarness) -> None:
    app.clock = lambda: datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # Sun 12:00 PST
    channel = app.declare("DST", user=LARA)
    _type(app, "started at yesterday 23:00", LARA, channel)
    line = _refused(app, "detected at 01:30", LARA, channel)
    assert line == (
        "`01:30` is ambiguous: 2026-11-01 01:30 happens twice in America/Los_Angeles (the clocks "
        "went back). Give the offset: 2026-11-01T01:30-07:00 for the first, "
        "2026-11-01T01:30-08:00 for the second."
    )
    assert _incident(app).detected_at is None
    _type(app, "detected at 2026-11-01T01:30-08:00", LARA, channel)
    _type(app, "acknowledged at 03:00", LARA, channel)
    incident = _incident(app)
    assert incident.started_at == datetime(2026, 11, 1, 6, 0, tzinfo=UTC)  # Sat 23:00 PDT
    assert incident.detected_at == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    assert incident.acknowledged_at == datetime(2026, 11, 1, 11, 0, tzinfo=UTC)  # PST now


def test_time_errors_name_the_zone_the_time_was_read_in(app: SlackHarness) -> None:
    channel = app.declare("Checkout down", user=LARA)
    _type(app, "started at 23:59", LARA, channel)
    assert _refused(app, "detected at 23:50", LARA, channel) == (
        "detected can't be `23:50` (read as 2026-11-26 23:50 America/Los_Angeles = 07:50 UTC on "
        "2026-11-27): it is before started (2026-11-27 07:59 UTC). Milestones go started ≤ "
        "detected ≤ acknowledged ≤ mitigated ≤ resolved."
    )
    future = _refused(app, "note at 2026-11-27 09:00 later", LARA, channel)
    assert future.startswith(
        "`2026-11-27 09:00` is in the future (read as 2026-11-27 09:00 America/Los_Angeles = "
        "17:00 UTC)"
    )
    assert "(read in America/Los_Angeles)" in _refused(app, "note at noon x", LARA, channel)


def test_without_a_slack_zone_times_are_read_in_incident_timezone(
    make_slack: Callable[..., SlackHarness],
) -> None:
    app = make_slack(INCIDENT_TIMEZONE="Asia/Kolkata")
    app.fake.add_user(NOZONE, "nozone", tz=None)
    app.clock = lambda: AT_00_10_IN_LA
    channel = app.declare("No zone", user=NOZONE)
    _type(app, "note at 10:00 read in Kolkata", NOZONE, channel)
    assert _entry(app, "read in Kolkata").at == datetime(2026, 11, 27, 4, 30, tzinfo=UTC)
    assert "(read in Asia/Kolkata)" in _refused(app, "note at noon x", NOZONE, channel)
    app.forget_replies()
    app.command("help", user=NOZONE)
    (help_text,) = app.wait_reply()
    assert "TIME is read in *Asia/Kolkata* (INCIDENT_TIMEZONE: Slack has no zone for you)" in (
        help_text
    )


def test_zones_are_cached_for_a_few_minutes(app: SlackHarness) -> None:
    channel = app.declare("Cache", user=LARA)

    def lookups() -> int:
        return len([c for c in app.fake.calls_to("users.info") if c.args.get("user") == LARA])

    _type(app, "note at 00:01 one", LARA, channel)
    _type(app, "note at 00:02 two", LARA, channel)
    assert lookups() == 1
    assert _entry(app, "two").at == datetime(2026, 11, 27, 8, 2, tzinfo=UTC)
    app.fake.users[LARA].tz = "Asia/Kolkata"  # she flew to Bangalore and updated her profile
    app.clock = lambda: AT_00_10_IN_LA + timedelta(minutes=4)
    _type(app, "note at 00:03 three", LARA, channel)
    assert lookups() == 1 and _entry(app, "three").at == datetime(2026, 11, 27, 8, 3, tzinfo=UTC)
    app.clock = lambda: AT_00_10_IN_LA + timedelta(minutes=6)
    _type(app, "note at 13:45 four", LARA, channel)  # 13:45 IST, six minutes later
    assert lookups() == 2 and _entry(app, "four").at == datetime(2026, 11, 27, 8, 15, tzinfo=UTC)


def test_typing_no_time_asks_slack_nothing(app: SlackHarness) -> Any:
    channel = app.declare("Quiet", user=LARA)
    before = len(app.fake.calls_to("users.info"))
    _type(app, "note nothing to read", LARA, channel)
    assert len(app.fake.calls_to("users.info")) == before
