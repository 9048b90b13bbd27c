"""Stakeholder updates and escalations (issue 13, points 2-4) over signed HTTP: posted in the
channel, replied under the announcement (thread_ts), the announcement edited in place
(chat.update on its ts), subscribers told by DM from the outbox; a change to sev1 is broadcast."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot import export
from bot.models import Incident, IncidentUpdate
from bot.scheduling.runner import run_due
from bot.slack import ids
from tests.e2e.test_resolving import announcement_edits
from tests.e2e.test_subscriptions import dms_to
from tests.support.harness import SlackHarness
from tests.support.seen import settle

SAID = "Rollback 60% done; error rate falling"


def _incident(slack: SlackHarness) -> Incident:
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        session.expunge_all()
        return incident


def _updates(slack: SlackHarness) -> list[IncidentUpdate]:
    with slack.deps.db.unit_of_work() as session:
        rows = list(session.scalars(select(IncidentUpdate).order_by(IncidentUpdate.id)))
        session.expunge_all()
        return rows


def thread_replies(slack: SlackHarness) -> list[Any]:
    """Accepted posts in the announce channel threaded under the announcement."""
    ts = _incident(slack).announce_ts
    return [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.ok and c.args.get("channel") == slack.announce and c.args.get("thread_ts") == ts
    ]


def _line(slack: SlackHarness, text: str, channel: str) -> str:
    slack.forget_replies()
    slack.command(text, channel=channel)
    (line,) = slack.wait_reply()
    settle()
    return line


def test_update_is_posted_threaded_and_edits_the_announcement(slack: SlackHarness) -> None:
    channel = slack.declare("Checkout down", flags="sev2")
    slack.fake.wait_for(lambda f: _incident(slack).announce_ts)
    slack.fake.channels[channel].members.add("U3")
    slack.command("subscribe", user="U3", channel=channel)
    slack.command("summary Card payments fail at checkout", channel=channel)
    slack.fake.wait_for(lambda f: "Card payments fail" in str(slack.posts(channel)))
    before = len(slack.posts(channel))
    slack.command(f"update {SAID}", user="U1", channel=channel)
    slack.fake.wait_for(lambda f: any(f"*Update:* {SAID}" in p for p in slack.posts(channel)))
    (reply,) = slack.fake.wait_for(lambda f: thread_replies(slack))
    assert SAID in reply.args["text"] and "Update on incident 1" in reply.args["text"]
    assert "reply_broadcast" not in reply.args, "an update stays in the thread"
    slack.fake.wait_for(
        lambda f: any(
            "Last update <!date^" in str(c.args["blocks"]) for c in announcement_edits(slack)
        )
    )
    edited = str(announcement_edits(slack)[-1].args["blocks"])
    for shown in ("*SEV2*", "Status *investigating*", "Commander <@U1>", "Card payments fail"):
        assert shown in edited
    slack.idle()
    assert len(slack.posts(channel)) == before + 1, "one new message in the channel"
    slack.fake.wait_for(lambda f: dms_to(slack, "U3"))
    assert dms_to(slack, "U3") == [
        f":mega: Incident 1 (<#{channel}>) update by <@U1>: {SAID}",
    ]
    (update,) = _updates(slack)
    assert (update.author, update.text, update.public, update.next_update_at) == (
        "U1",
        SAID,
        False,
        None,
    )
    with slack.deps.db.unit_of_work() as session:
        data = json.loads(export.to_json(export.load(session, "1"), single=True))
    assert [e["kind"] for e in data["timeline"]].count("update") == 1
    assert data["updates"] == [
        {
            "at": update.at.isoformat().replace("+00:00", "Z"),
            "author": "U1",
            "text": SAID,
            "public": False,
        }
    ]
    slack.fake.assert_no_violations()


def test_update_modal_changes_status_summary_and_promises_the_next(slack: SlackHarness) -> None:
    channel = slack.declare("Search slow", flags="sev2")
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    slack.command("update", channel=channel)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == ids.UPDATE_MODAL
    before = len(slack.posts(channel))
    answer = slack.driver.view_submission(
        ids.UPDATE_MODAL,
        {
            ids.UPDATE_INPUT: "Index rebuilt; watching latency",
            ids.STATUS_INPUT: "monitoring",
            ids.SUMMARY_INPUT: "A bad index made search slow",
            ids.NEXT_UPDATE_INPUT: "2h",
        },
    )
    assert answer.status == 200 and not answer.text
    slack.fake.wait_for(lambda f: _updates(slack))
    incident = _incident(slack)
    assert (incident.status, incident.summary) == ("monitoring", "A bad index made search slow")
    (update,) = _updates(slack)
    assert update.next_update_at == update.at + timedelta(hours=2)
    slack.fake.wait_for(
        lambda f: any(
            c.args.get("ts") == card_ts and "monitoring" in str(c.args["blocks"])
            for c in f.calls_to("chat.update")
        )
    )
    slack.fake.wait_for(
        lambda f: "monitoring" in f.calls_to("conversations.setTopic")[-1].args["topic"]
    )
    slack.fake.wait_for(lambda f: any("Index rebuilt" in p for p in slack.posts(channel)))
    slack.idle()
    assert len(slack.posts(channel)) == before + 1, "status, summary and update: one message"
    assert "Status changed" not in slack.posts(channel)[-1], "not even merged into one post"
    kinds = [e.kind for e in _timeline(slack)]
    assert kinds[-3:] == ["status", "note", "update"]


def _timeline(slack: SlackHarness) -> list[Any]:
    with slack.deps.db.unit_of_work() as session:
        entries = list(session.get(Incident, _incident(slack).id).timeline)
        session.expunge_all()
        return entries


def test_bad_updates_get_one_line_and_store_nothing(slack: SlackHarness) -> None:
    channel = slack.declare("Queue stuck")
    assert _line(slack, "update " + "x" * 3001, channel) == (
        "The update is 3001 characters; Slack allows 3000. Shorten it or split it. "
        "Use: `/incident update [--public] TEXT`"
    )
    assert _line(slack, "update --public We are on it", channel) == (
        "There is no status page here (INCIDENT_STATUS_PAGE is off): nothing was published. "
        "`/incident update TEXT` posts a stakeholder update."
    )
    assert _line(slack, "update --pubic We are on it", channel) == (
        "`--pubic` is not an option. Use: /incident update [--public] TEXT"
    )
    assert _line(slack, "update Fixed", slack.announce).startswith(
        "This only works in an incident channel."
    )
    slack.command("update", channel=channel)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    refused = slack.driver.view_submission(
        ids.UPDATE_MODAL, {ids.UPDATE_INPUT: "  ", ids.NEXT_UPDATE_INPUT: "soon"}
    )
    assert refused.json() == {
        "response_action": "errors",
        "errors": {
            ids.UPDATE_INPUT: "The update is empty. Use: `/incident update [--public] TEXT`",
            ids.NEXT_UPDATE_INPUT: "`soon` is not a time from now like 30m, 2h or 1d.",
        },
    }
    settle()
    assert _updates(slack) == []


def test_escalation_to_sev1_is_broadcast_and_a_lowering_is_not(slack: SlackHarness) -> None:
    channel = slack.declare("Payments failing", flags="sev2")
    slack.fake.wait_for(lambda f: _incident(slack).announce_ts)
    slack.command("severity sev1", channel=channel)
    (loud,) = slack.fake.wait_for(lambda f: thread_replies(slack))
    assert loud.args["text"] == ":red_circle: Incident 1 escalated sev2 → sev1 by <@U1>"
    assert loud.args["reply_broadcast"] is True
    slack.fake.wait_for(
        lambda f: any("*SEV1*" in str(c.args["blocks"]) for c in announcement_edits(slack))
    )
    slack.command("severity sev3", channel=channel)
    slack.fake.wait_for(lambda f: len(thread_replies(slack)) == 2)
    quiet = thread_replies(slack)[1]
    assert quiet.args["text"] == ":large_yellow_circle: Incident 1 lowered sev1 → sev3 by <@U1>"
    assert "reply_broadcast" not in quiet.args
    slack.fake.wait_for(lambda f: "*SEV3*" in str(announcement_edits(slack)[-1].args["blocks"]))
    slack.fake.assert_no_violations()


def test_private_incident_announcement_never_changes_and_non_members_are_not_told(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Key leak", flags="sev2 --private")
    slack.fake.channels[channel].members.update({"U3", "U4"})
    for user in ("U3", "U4"):
        slack.command("subscribe 1", user=user)
    slack.fake.wait_for(lambda f: len(slack.ephemerals()) >= 3)
    slack.fake.channels[channel].members.discard("U4")  # left: no longer theirs to know
    event = {"type": "member_left_channel", "user": "U4", "channel": channel, "team": "T0TEST"}
    assert slack.driver.event({**event, "channel_type": "G"}).status == 200
    slack.command(f"update {SAID}", channel=channel)
    slack.command("severity sev1", channel=channel)
    slack.fake.wait_for(lambda f: len(dms_to(slack, "U3")) == 2)
    slack.idle()
    assert dms_to(slack, "U4") == []
    assert thread_replies(slack) == [] and announcement_edits(slack) == []
    assert not any(SAID in str(c.args) for c in slack.fake.calls_to("chat.postMessage")
                   if c.args.get("channel") == slack.announce)  # fmt: skip


def test_update_reminder_button_opens_the_update_modal(slack: SlackHarness) -> None:
    channel = slack.declare("Login errors", flags="sev1")
    run_due(slack.deps, slack.deps.clock() + timedelta(minutes=31))
    (reminder,) = slack.fake.wait_for(
        lambda f: [c for c in f.calls_to("chat.postMessage") if "Stakeholders" in c.args["text"]]
    )
    slack.driver.block_action(
        ids.UPDATE_OPEN,
        user="U1",
        channel=reminder.args["channel"],
        message_ts=reminder.response["ts"],
    )
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == ids.UPDATE_MODAL
    assert json.loads(view["private_metadata"]) == {"channel": channel}
