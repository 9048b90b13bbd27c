"""Catch-up on join: someone who joins an incident channel after the declaration gets an
ephemeral summary of where it stands; the people the bot invited do not. Over signed HTTP."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.comms.catchup import catch_up_message
from bot.comms.updates import record_update
from bot.db import Database
from bot.followups.items import add_action_item, close_action_item
from bot.incidents import lifecycle
from bot.incidents.details import set_detail
from bot.models import ActionItem, Incident, PromptAudit
from tests.support.fake_openai import FakeOpenAI, Reply, error_reply, json_reply, request_data
from tests.support.harness import SlackHarness
from tests.support.seen import settle

T0 = datetime(2026, 11, 27, 7, 0, tzinfo=UTC)


def _join(slack: SlackHarness, user: str, channel: str, event_id: str | None = None) -> None:
    slack.fake.channels[channel].members.add(user)
    event = {"type": "member_joined_channel", "user": user, "channel": channel}
    answer = slack.driver.event({**event, "channel_type": "C", "team": "T0TEST"}, event_id)
    assert answer.status == 200


def _catch_ups(slack: SlackHarness) -> list[tuple[str, str]]:
    """(who, everything shown) of each catch-up sent."""
    return [
        (c.args["user"], c.args["text"] + str(c.args.get("blocks")))
        for c in slack.fake.calls_to("chat.postEphemeral")
        if c.ok and c.args["text"].startswith("Catching up on incident")
    ]


def test_a_latecomer_is_caught_up_and_the_invited_are_not(slack: SlackHarness) -> None:
    channel = slack.declare("Checkout down")
    for text in (
        "summary Card payments fail",
        "impact EU shoppers can't pay",
        "decision first decision",
        "decision Page the PSP",
        "decision Roll back 4.2 because errors began with it",
        "decision Freeze deploys",
        "role scribe <@U2>",
        "action Add a canary <@U2>",
        "action Write the runbook",
        "severity sev2",
    ):
        slack.change(text, channel)
    slack.idle()
    slack.forget_replies()
    _join(slack, "U1", channel)  # the declarer, invited by the bot at declare time
    _join(slack, "U2", channel)  # invited by the bot with their role
    _join(slack, "UBOT", channel)  # the bot itself
    settle()
    assert _catch_ups(slack) == []

    _join(slack, "U3", channel, event_id="Ev-join-U3")
    slack.fake.wait_for(lambda f: _catch_ups(slack))
    ((who, shown),) = _catch_ups(slack)
    assert who == "U3"
    (call,) = slack.fake.calls_to("chat.postEphemeral")
    assert call.args["channel"] == channel
    assert "Catching up on incident 1: Checkout down" in shown
    assert "SEV2 · investigating · going for " in shown
    assert "Commander <@U1> · scribe <@U2> · no comms" in shown
    assert "*Summary:* Card payments fail" in shown
    assert "*Customer impact:* EU shoppers can't pay" in shown
    assert "first decision" not in shown, "only the latest few decisions"
    assert shown.index("Page the PSP") < shown.index("Roll back 4.2") < shown.index("Freeze")
    assert "because errors began with it" in shown
    assert "*Open action items (2)*" in shown
    assert "AI-1 Add a canary — <@U2>, no due date" in shown
    assert "AI-2 Write the runbook — no owner yet, no due date" in shown
    # Slack's retry of the same event, and a second join event: nobody is told twice.
    _join(slack, "U3", channel, event_id="Ev-join-U3")
    _join(slack, "U3", channel)
    settle()
    assert len(_catch_ups(slack)) == 1
    slack.fake.assert_no_violations()


def test_catch_up_is_deterministic_and_says_how_long_and_what_is_open(db: Database) -> None:
    zone = ZoneInfo("UTC")
    with db.unit_of_work() as s:
        incident = lifecycle.declare(
            s,
            now=T0,
            number=7,
            title="DNS outage",
            severity="sev1",
            private=False,
            channel_id="C7",
            channel_name="inc-7-dns-outage",
            declared_by="U1",
        )
        set_detail(s, incident, now=T0, user="U1", field="summary", text="Resolvers time out")
        later = T0 + timedelta(minutes=20)
        lifecycle.record_decision(
            s, incident, now=later, at=later, user="U1", text="Fail over", rationale="pool dead"
        )
        record_update(s, incident, now=later, user="U2", text="Failed over; watching")
        done, _ = add_action_item(s, incident, now=later, user="U1", text="Done already")
        s.flush()
        close_action_item(s, done.id, now=later, user="U1")
        incident_id = incident.id
    now = T0 + timedelta(hours=2, minutes=5)
    with db.unit_of_work() as s:
        stored = s.get(Incident, incident_id)
        assert stored is not None
        first = catch_up_message(s, stored, now, zone)
        again = catch_up_message(s, stored, now, zone)
        assert s.scalars(select(ActionItem)).one().status != "open"
    assert first[0] == again[0] and [b.to_dict() for b in first[1]] == [
        b.to_dict() for b in again[1]
    ]
    texts = [b.to_dict()["text"]["text"] for b in first[1]]
    assert texts[0] == (
        "*Catching up on incident 7: DNS outage*\n"
        "SEV1 · investigating · going for 2h 05m "
        f"(since <!date^{int(T0.timestamp())}^{{date_short_pretty}} {{time}}"
        "|2026-11-27 07:00 UTC>)\n"
        "Commander <@U1> · no scribe · no comms"
    )
    assert texts[1] == "*Summary:* Resolvers time out"
    assert texts[2].startswith("*Latest update* (<!date^") and texts[2].endswith(
        "UTC>, <@U2>): Failed over; watching"
    )
    assert texts[3].startswith("*Latest decisions*\n• <!date^") and texts[3].endswith(
        "Fail over — because pool dead (<@U1>)"
    )
    assert len(texts) == 4, "no open action items: no such section"


def test_a_failed_catch_up_is_retried_and_a_refused_one_still_records_the_join(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Disk full")
    slack.forget_replies()
    slack.fake.fail("chat.postEphemeral", error="internal_error", times=1)
    slack.fake.channels[channel].members.add("U3")
    event = {"type": "member_joined_channel", "user": "U3", "channel": channel, "team": "T0TEST"}
    assert slack.driver.event({**event, "channel_type": "C"}, "Ev-U3").status == 500
    assert slack.driver.event({**event, "channel_type": "C"}, "Ev-U3", retry_num=1).status == 200
    assert [who for who, _ in _catch_ups(slack)] == ["U3"], "Slack's retry brought the catch-up"

    slack.fake.fail("chat.postEphemeral", error="user_not_in_channel", times=1)
    slack.fake.channels[channel].members.add("U4")
    assert slack.driver.event({**event, "user": "U4", "channel_type": "C"}).status == 200
    with slack.deps.db.unit_of_work() as session:
        members = session.scalars(select(Incident.members)).one()
    assert "U3" in members and "U4" in members


def test_with_a_model_a_latecomer_also_gets_two_cited_sentences(
    make_slack: Callable[..., Any], openai_server: FakeOpenAI
) -> None:
    slack = make_slack(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=openai_server.url)
    channel = slack.declare("Checkout down")
    slack.change("note error rate at 40% password=hunter2-secret", channel)
    slack.change("decision Roll back 4.2 because errors began with it", channel)

    def answer(body: dict[str, Any]) -> Reply:
        timeline = request_data(body)["timeline"]
        note = next(e["id"] for e in timeline if "error rate" in e["text"])
        return json_reply(
            {
                "sentences": [
                    {"text": "Checkout failed at 40% <!channel> errors.", "citations": [note]},
                    {"text": "The CEO approved a refund.", "citations": [99999]},  # uncited
                ]
            }
        )

    openai_server.push(answer)
    _join(slack, "U3", channel)
    slack.fake.wait_for(
        lambda f: any("So far" in c.args["text"] for c in f.calls_to("chat.postEphemeral")),
        what="the model's catch-up",
    )
    (said,) = [
        c.args for c in slack.fake.calls_to("chat.postEphemeral") if "So far" in c.args["text"]
    ]
    assert said["user"] == "U3"
    assert "Checkout failed at 40% &lt;!channel&gt; errors." in said["text"]
    assert "<!date^" in said["text"], "the cited entry's time, in the reader's zone"
    assert "CEO" not in said["text"], "a sentence citing nothing real is not shown"
    assert "hunter2-secret" not in str(openai_server.requests), "redacted before it is sent"
    with slack.deps.db.unit_of_work() as session:
        purposes = list(session.scalars(select(PromptAudit.purpose)))
    assert purposes == ["catch-up"]


def test_a_failing_model_leaves_the_plain_catch_up(
    make_slack: Callable[..., Any], openai_server: FakeOpenAI
) -> None:
    slack = make_slack(OPENAI_API_KEY="test-key", OPENAI_BASE_URL=openai_server.url)
    channel = slack.declare("Checkout down")
    for _ in range(3):  # the SDK retries a 500 twice
        openai_server.push(error_reply(500))
    _join(slack, "U3", channel)
    slack.fake.wait_for(lambda f: _catch_ups(slack), what="the catch-up")
    slack.idle()
    assert not [c for c in slack.fake.calls_to("chat.postEphemeral") if "So far" in c.args["text"]]
