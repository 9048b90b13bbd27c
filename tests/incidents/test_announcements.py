"""Announcements are recorded with the change and sent from the record: never lost, never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models import Outbox
from bot.scheduling.runner import run_due
from tests.support.harness import SlackHarness


def _rows(slack: SlackHarness) -> list[Outbox]:
    with slack.deps.db.unit_of_work() as session:
        rows = session.scalars(select(Outbox).where(Outbox.kind == "announce").order_by(Outbox.id))
        return list(rows)


def test_announcement_that_slack_fails_is_sent_later_exactly_once(slack: SlackHarness) -> None:
    # Three 500s: a 500 may follow the work, so the post is never re-sent blindly; the worker
    # checks the channel for it (message metadata), then sends it.
    slack.fake.server_error("chat.postMessage", status=500, times=3, channel=slack.announce)
    slack.declare("Announce later")
    line = slack.ephemerals()[0]
    assert "Incident 1 declared" in line and "try" not in line
    slack.fake.wait_for(lambda f: _rows(slack)[0].sent_at, timeout=30)
    (row,) = _rows(slack)
    assert row.sent_at is not None and row.attempts == 3
    checks = slack.fake.calls_to("conversations.history")
    assert len(checks) == 3 and all(c.args["channel"] == slack.announce for c in checks)
    assert not any("announcement" in s for s in run_due(slack.deps, slack.deps.clock()))
    (announcement,) = slack.posts(slack.announce)
    assert "Announce later" in announcement


def test_announcement_whose_answer_was_lost_is_not_posted_twice(slack: SlackHarness) -> None:
    slack.fake.drop_answer("chat.postMessage")  # the first post: the announcement or the card
    slack.fake.slow("chat.postMessage", 0.3)  # so that the card is posted first
    channel = slack.declare("Lost answer")
    slack.fake.slow("chat.postMessage", 0)
    slack.fake.wait_for(lambda f: all(r.sent_at for r in _rows(slack)), timeout=15)
    assert len(slack.posts(slack.announce)) == 1
    cards = [p for p in slack.posts(channel) if "Lost answer" in p]
    assert len(cards) == 1
    assert slack.fake.calls_to("conversations.history"), "checked before sending again"


def test_resolution_is_announced_once_from_its_record(slack: SlackHarness) -> None:
    channel = slack.declare("Resolve me")
    slack.command("resolved Restarted the pods", channel=channel)
    slack.fake.wait_for(lambda f: [r.sent_at is not None for r in _rows(slack)] == [True, True])
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in _rows(slack)] == ["declared", "resolved"]
    assert "resolved" in slack.posts(slack.announce)[1]
    run_due(slack.deps, slack.deps.clock() + timedelta(hours=1))
    assert len(slack.posts(slack.announce)) == 2


def test_permanent_failure_is_reported_not_retried(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", error="is_archived", times=1, channel=slack.announce)
    channel = slack.declare("Archived announce channel")
    slack.fake.wait_for(lambda f: _rows(slack)[0].failed)
    (row,) = _rows(slack)
    assert row.failed and row.sent_at is None
    warning = slack.fake.wait_for(
        lambda f: [p for p in slack.posts(channel) if "announcement in" in p]
    )
    assert "archived" in warning[0] and "retried" not in warning[0]
