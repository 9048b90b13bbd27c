"""Announcements are recorded with the change and sent from the record: never lost, never twice."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.clock import utcnow
from bot.db import Database
from bot.incidents import announcements
from bot.models import Incident, Outbox
from bot.scheduling.runner import run_due
from tests.support.fakeslack import FakeSlack
from tests.support.harness import SlackHarness
from tests.support.scheduling import deliver, make_deps, open_incident, outbox_rows


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


def test_edits_of_several_incidents_queued_in_the_one_announce_lane_each_land(
    db: Database, fake: FakeSlack
) -> None:
    """The announce channel is one lane for every incident: edits queued together collapse per
    incident, not into the last one; an announcement Slack refused for good holds nothing up."""
    announce = fake.add_channel("incidents", members=["UBOT"])
    now = utcnow()
    deps = make_deps(fake=fake, db=db, now=now, INCIDENT_ANNOUNCE_CHANNEL=announce)
    ids = []
    for number in (1, 2, 3):
        incident = open_incident(db, fake, now, number=number)
        with db.unit_of_work() as session:
            stored = session.get(Incident, incident.id)
            assert stored is not None
            stored.announce_channel = announce
            if number < 3:  # the third's announcement was refused for good: no ts
                stored.announce_ts = deps.notifier.post(announce, f"Incident {number} declared")
            ids.append(stored.id)
    with db.unit_of_work() as session:
        for incident_id in ids:
            stored = session.get(Incident, incident_id)
            assert stored is not None
            stored.summary = f"Summary {stored.number}"
            announcements.record_edit(session, stored, now, "test")
        third = session.get(Incident, ids[2])
        assert third is not None
        announcements.record_reply(session, third, "test", "hello", now, loud=False)
    assert deliver(deps) == ["announcement of incident(s) 1, 2 edited"]
    edits = {c.args["ts"]: str(c.args["blocks"]) for c in fake.calls_to("chat.update") if c.ok}
    assert len(edits) == 2 and all(f"Summary {n}" in str(edits) for n in (1, 2))
    assert [r.last_error for r in outbox_rows(db, "announce_reply")] == [
        "skipped: no announcement to reply to"
    ]


def test_a_thread_reply_whose_answer_was_lost_is_posted_once(db: Database, fake: FakeSlack) -> None:
    announce = fake.add_channel("incidents", members=["UBOT"])
    deps = make_deps(fake=fake, db=db, now=utcnow(), INCIDENT_ANNOUNCE_CHANNEL=announce)
    incident = open_incident(db, fake, deps.clock(), severity="sev2")
    with db.unit_of_work() as session:
        stored = session.get(Incident, incident.id)
        assert stored is not None
        stored.announce_channel = announce
        stored.announce_ts = deps.notifier.post(announce, "Incident 1 declared")
        announcements.record_reply(session, stored, "test", "escalated", deps.clock(), loud=False)
    fake.drop_answer("chat.postMessage")  # Slack posts the reply; its answer never arrives
    assert deliver(deps) == []
    deps.clock.now += timedelta(minutes=1)  # type: ignore[attr-defined]
    assert deliver(deps) == []  # found in the thread: marked sent, not posted again
    (row,) = outbox_rows(db, "announce_reply")
    assert row.sent_at is not None and row.last_error == "already in Slack (checked)"
    replies = [c for c in fake.calls_to("chat.postMessage") if c.args.get("thread_ts")]
    assert len(replies) == 1 and replies[0].dropped
    assert [c.args["channel"] for c in fake.calls_to("conversations.replies")] == [announce]
