"""Reminders at 09:00 in the owner's own zone on working days, and the digest's "overdue" by
the owner's calendar: items added through the running app, the scheduler run as in `serve`."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.scheduling.runner import run_due
from tests.support.harness import SlackHarness
from tests.support.scheduling import dms, posts_in

LARA = "U7"  # America/Los_Angeles; U3 (carol) is in Asia/Tokyo
LA = ZoneInfo("America/Los_Angeles")
QUIET = {"INCIDENT_NUDGE_SEV3": "off", "INCIDENT_NUDGE_UNOWNED": "off"}


def la(day: int, hour: int = 9, minute: int = 0) -> datetime:
    """That day of November 2026 at that time in Los Angeles, in UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=LA).astimezone(UTC)


@pytest.fixture
def app(make_slack: Callable[..., SlackHarness]) -> SlackHarness:
    slack = make_slack(INCIDENT_DIGEST_SCHEDULE="mon 02:00", **QUIET)
    slack.fake.add_user(LARA, "lara", tz="America/Los_Angeles")
    slack.clock = lambda: datetime(2026, 11, 25, 20, tzinfo=UTC)  # Wednesday
    return slack


def _reminders(app: SlackHarness, now: datetime) -> list[str]:
    """Run the scheduler at `now`; the reminders it sent (the digest may go out too)."""
    return [line for line in run_due(app.deps, now) if line.startswith("reminder")]


def _add(app: SlackHarness, channel: str, text: str) -> None:
    app.forget_replies()
    app.command(f"action {text}", channel=channel)
    assert app.wait_reply()[0].startswith("Added AI-")


def test_a_sunday_due_date_is_reminded_friday_and_monday_at_nine_in_the_owners_zone(
    app: SlackHarness,
) -> None:
    channel = app.declare("Checkout down")
    _add(app, channel, f"Add a canary stage <@{LARA}> due 2026-11-29")  # a Sunday
    assert _reminders(app, la(27, 8, 59)) == []  # 16:59 UTC: 09:00 UTC has long passed
    assert _reminders(app, la(27)) == [f"reminder before AI-1 to {LARA}"]
    (before,) = dms(app.fake)
    assert "due soon" in before.args["text"] and "due Sun 2026-11-29" in json.dumps(before.args)
    for saturday_and_sunday in (la(28), la(29), la(29, 23)):
        assert _reminders(app, saturday_and_sunday) == []
    assert _reminders(app, la(30, 8, 59)) == []
    assert _reminders(app, la(30)) == [f"reminder overdue AI-1 to {LARA}"]
    overdue = dms(app.fake)[-1]
    assert "overdue by 1 day" in json.dumps(overdue.args)  # Monday in Los Angeles


def test_the_digest_counts_overdue_by_the_owners_date(app: SlackHarness) -> None:
    channel = app.declare("Checkout down")
    _add(app, channel, f"Canary for checkout <@{LARA}> due 2026-11-29")
    _add(app, channel, "Alert on p99 <@U3> due 2026-11-29")
    # Monday 02:00 UTC: still Sunday 18:00 in Los Angeles, already Monday 11:00 in Tokyo.
    sent = run_due(app.deps, datetime(2026, 11, 30, 2, 1, tzinfo=UTC))
    assert any(s.startswith("digest 2026-W49") for s in sent)
    (digest,) = [p for p in posts_in(app.fake, app.announce) if "digest" in p.args["text"]]
    text = "\n".join(b["text"]["text"] for b in digest.args["blocks"] if b["type"] == "section")
    assert "*2 open action items*, 1 overdue" in text
    overdue, rest = text.split(":clipboard: *Open*")
    assert "*AI-2* Alert on p99 — :warning: *overdue by 1 day* (due Sun 2026-11-29)" in overdue
    assert "*AI-1* Canary for checkout — *due today* (Sun 2026-11-29)" in rest
