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
    # Three 500s: the client's own two retries are used up, the sweep must finish the job.
    slack.fake.server_error("chat.postMessage", status=500, times=3, channel=slack.announce)
    slack.declare("Announce later")
    line = slack.ephemerals()[0]
    assert "Incident 1 declared" in line and "announcement failed" in line
    assert "will be retried" in line
    (row,) = _rows(slack)
    assert row.sent_at is None and not row.failed and row.attempts == 1
    assert slack.posts(slack.announce) == []

    later = slack.deps.clock() + timedelta(minutes=5)  # past the first retry's backoff
    assert "announcement: incident 1 declared" in run_due(slack.deps, later)
    assert not any("announcement" in s for s in run_due(slack.deps, later + timedelta(hours=2)))
    (announcement,) = slack.posts(slack.announce)
    assert "Announce later" in announcement
    (row,) = _rows(slack)
    assert row.sent_at is not None


def test_resolution_is_announced_once_from_its_record(slack: SlackHarness) -> None:
    channel = slack.declare("Resolve me")
    slack.command("resolved", channel=channel)
    slack.fake.wait_for(lambda f: [r.sent_at is not None for r in _rows(slack)] == [True, True])
    assert [r.dedupe_key.rsplit(":", 1)[1] for r in _rows(slack)] == ["declared", "resolved"]
    assert "resolved" in slack.posts(slack.announce)[1]
    run_due(slack.deps, slack.deps.clock() + timedelta(hours=1))
    assert len(slack.posts(slack.announce)) == 2


def test_permanent_failure_is_reported_not_retried(slack: SlackHarness) -> None:
    slack.fake.fail("chat.postMessage", error="is_archived", times=1, channel=slack.announce)
    slack.declare("Archived announce channel")
    line = slack.ephemerals()[0]
    assert "announcement failed" in line and "archived" in line and "retried" not in line
    (row,) = _rows(slack)
    assert row.failed and row.sent_at is None
