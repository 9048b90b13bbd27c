"""Slow Slack and lost answers: the outcome is settled by the record and by asking Slack,
never by sending again blindly. A lost answer never makes a second post or channel, and
nobody is told "something went wrong" for work that was done."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from bot.models import Incident, Outbox
from tests.support.harness import SlackHarness

TIMEOUT = 2  # the client's timeout in these tests; Slack answers later than that


def _sent(slack: SlackHarness, kind: str) -> list[Outbox]:
    with slack.deps.db.unit_of_work() as session:
        rows = session.scalars(select(Outbox).where(Outbox.kind == kind).order_by(Outbox.id))
        return [r for r in rows if r.sent_at is not None]


def _no_apology(slack: SlackHarness) -> None:
    replies = slack.ephemerals()
    assert not [r for r in replies if "went wrong" in r or "try again" in r], replies


def test_note_whose_answer_was_lost_is_posted_once(slack: SlackHarness) -> None:
    channel = slack.declare("Lost note")
    slack.forget_replies()
    slack.fake.drop_answer("chat.postMessage")  # Slack posts it; its answer never arrives
    slack.command("note one of a kind", channel=channel)
    slack.fake.wait_for(lambda f: _sent(slack, "echo"), timeout=15)
    (row,) = _sent(slack, "echo")
    assert row.last_error == "already in Slack (checked)"
    (post,) = [
        c for c in slack.fake.calls_to("chat.postMessage") if "one of a kind" in c.args["text"]
    ]
    assert post.dropped, "posted once (its answer lost), never re-sent"
    assert [c.args["channel"] for c in slack.fake.calls_to("conversations.history")] == [channel]
    _no_apology(slack)


def test_slow_post_is_recorded_told_and_not_doubled(make_slack: Callable[..., Any]) -> None:
    slack: SlackHarness = make_slack(slack_timeout=TIMEOUT)
    channel = slack.declare("Slow Slack")
    slack.forget_replies()
    slack.fake.slow("chat.postMessage", TIMEOUT + 1.5)  # does the work, answers too late
    slack.command("note typed while Slack crawls", channel=channel)
    told = slack.fake.wait_for(
        lambda f: [t for t in slack.ephemerals() if "Slack is slow" in t], timeout=10
    )
    assert told[0].startswith("Recorded on the timeline") and "nothing to retype" in told[0]
    slack.fake.wait_for(lambda f: _sent(slack, "echo"), timeout=20)
    slack.fake.slow("chat.postMessage", 0)
    made = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.args["channel"] == channel and "Slack crawls" in c.args["text"]
    ]
    assert len(made) == 1, "the late answer was checked for, not re-sent"
    _no_apology(slack)


def test_slow_channel_creation_makes_one_channel(make_slack: Callable[..., Any]) -> None:
    slack: SlackHarness = make_slack(slack_timeout=TIMEOUT)
    slack.fake.slow("conversations.create", TIMEOUT + 1.5)
    slack.command("declare sev1 Slow create")
    line = slack.fake.wait_for(lambda f: slack.ephemerals(), timeout=10)[0]
    assert line.startswith("Incident 1 is recorded") and "went wrong" not in line
    slack.fake.wait_for(lambda f: f.calls_to("bookmarks.add"), timeout=20)
    slack.fake.slow("conversations.create", 0)
    slack.fake.wait_for(lambda f: slack.declared(), timeout=10)
    made = [c.name for c in slack.fake.channels.values() if c.name.startswith("inc-")]
    assert made == ["inc-1-slow-create"]
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
    channel = incident.channel_id or ""
    assert slack.fake.channels[channel].name == "inc-1-slow-create"
    assert len(slack.fake.channels[channel].pins) == 1
    link = slack.fake.wait_for(
        lambda f: [c for c in f.calls_to("chat.postMessage") if f"<#{channel}>" in c.args["text"]]
    )
    assert link, "the declarer gets the channel's link once it exists"
    slack.fake.assert_no_violations()
