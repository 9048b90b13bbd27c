"""A quieter incident channel: the topic is set only when its text changes, and with
INCIDENT_CHANNEL_ECHO=thread routine changes (roles, milestones) are echoed under the card."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.models import Outbox
from tests.support.harness import SlackHarness


def _topics(slack: SlackHarness, channel: str) -> list[str]:
    return [
        c.args["topic"]
        for c in slack.fake.calls_to("conversations.setTopic")
        if c.ok and c.args.get("channel") == channel
    ]


def _echo_calls(slack: SlackHarness, channel: str, needle: str) -> list[Any]:
    return [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.ok and c.args.get("channel") == channel and needle in str(c.args)
    ]


def _change(slack: SlackHarness, channel: str, command: str, needle: str) -> None:
    slack.command(command, channel=channel)
    slack.fake.wait_for(lambda f: _echo_calls(slack, channel, needle), what=needle)
    slack.idle()


def test_topic_is_set_only_when_its_text_changes(slack: SlackHarness) -> None:
    channel = slack.declare("Checkout slow", flags="sev3")
    slack.fake.wait_for(lambda f: _topics(slack, channel), what="the first topic")
    first = ["SEV3 · investigating · IC <@U1>"]
    _change(slack, channel, "role scribe <@U2>", "scribe")  # on the card, not in the topic
    _change(slack, channel, "detected at 00:00", "detected")  # a milestone: the card only
    _change(slack, channel, "role commander <@U1>", "commander")  # the same commander again
    assert _topics(slack, channel) == first
    _change(slack, channel, "severity sev2", "sev2")
    assert _topics(slack, channel) == [*first, "SEV2 · investigating · IC <@U1>"]
    _change(slack, channel, "status identified", "identified")
    assert _topics(slack, channel)[-1] == "SEV2 · identified · IC <@U1>"
    assert len(_topics(slack, channel)) == 3
    slack.fake.assert_no_violations()


def test_routine_echoes_go_in_a_thread_under_the_card(make_slack: Any) -> None:
    slack = make_slack(INCIDENT_CHANNEL_ECHO="thread")
    channel = slack.declare("Search is slow")
    card_ts = slack.fake.calls_to("pins.add")[-1].args["timestamp"]
    slack.command("role scribe <@U2>", channel=channel)
    slack.command("detected at 00:00", channel=channel)
    slack.command("note the index is rebuilding", channel=channel)
    slack.fake.wait_for(lambda f: _echo_calls(slack, channel, "index is rebuilding"))
    slack.fake.wait_for(lambda f: _echo_calls(slack, channel, ":round_pushpin:"))
    slack.idle()
    routine = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.args["text"].startswith((":bust_in_silhouette:", ":round_pushpin:"))
    ]
    assert routine and all(c.args.get("thread_ts") == card_ts for c in routine)
    (note,) = _echo_calls(slack, channel, "index is rebuilding")
    assert not note.args.get("thread_ts"), "a note stays in the channel"
    top_level = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.ok and c.args.get("channel") == channel and not c.args.get("thread_ts")
    ]
    assert len(top_level) == 2, "the card and the note"
    slack.fake.assert_no_violations()


def test_a_threaded_echo_whose_answer_was_lost_is_posted_once(make_slack: Any) -> None:
    slack = make_slack(INCIDENT_CHANNEL_ECHO="thread")
    channel = slack.declare("Lost in a thread")
    slack.idle()
    slack.fake.drop_answer("chat.postMessage")  # Slack posts it; its answer never arrives
    slack.command("role scribe <@U2>", channel=channel)

    def sent() -> list[Outbox]:
        with slack.deps.db.unit_of_work() as session:
            rows = session.scalars(select(Outbox).where(Outbox.kind == "thread_echo"))
            return [r for r in rows if r.sent_at is not None]

    slack.fake.wait_for(lambda f: sent(), timeout=15, what="the echo marked sent")
    (row,) = sent()
    assert row.last_error == "already in Slack (checked)"
    (post,) = [c for c in slack.fake.calls_to("chat.postMessage") if "scribe" in c.args["text"]]
    assert post.dropped and post.args.get("thread_ts"), "posted once in the thread, not re-sent"
    assert [c.args["channel"] for c in slack.fake.calls_to("conversations.replies")] == [channel]
