"""Membership is proven by Slack, never granted by typing or clicking; refusals name no
private channel. Over signed HTTP, with Slack's channel members held by the fake."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Incident, TimelineEntry
from tests.support.harness import SlackHarness
from tests.support.seen import lines_to, settle


def _members(slack: SlackHarness) -> list[str]:
    with slack.deps.db.unit_of_work() as session:
        return list(session.scalars(select(Incident)).one().members)


def _notes(slack: SlackHarness) -> list[str]:
    with slack.deps.db.unit_of_work() as session:
        return list(session.scalars(select(TimelineEntry.text).where(TimelineEntry.kind == "note")))


def _note(slack: SlackHarness, user: str, channel: str, text: str) -> list[str]:
    """Type `/incident note TEXT`; wait for the note in the channel, or for a line to `user`."""
    slack.forget_replies()
    slack.command(f"note {text}", user=user, channel=channel)
    slack.fake.wait_for(lambda f: any(text in p for p in slack.posts(channel)) or lines_to(f, user))
    return lines_to(slack.fake, user)


def _slack_asked(slack: SlackHarness) -> int:
    return len(slack.fake.calls_to("conversations.members"))


def test_typing_makes_nobody_a_member_unless_slack_says_so(slack: SlackHarness) -> None:
    channel = slack.declare("Disk full")
    slack.idle()  # the declaration's own posts are out before the calls are forgotten
    refused = _note(slack, "U3", channel, "I was never here")  # U3 is not in the channel
    assert refused == [
        "Only members of #inc-1-disk-full can change incident 1: join the channel first."
    ]
    settle()
    assert "U3" not in _members(slack) and "I was never here" not in _notes(slack)
    posts = slack.fake.calls_to("chat.postMessage")
    assert not any(c.ok and "I was never here" in str(c.args) for c in posts)

    slack.fake.channels[channel].members.add("U2")  # joined in Slack; no event reached us
    assert _note(slack, "U2", channel, "U2 looked at the disks") == []
    assert "U2" in _members(slack), "Slack's answer is mirrored"
    slack.fake.assert_no_violations()


def test_slacks_answer_is_trusted_for_a_minute_and_no_longer(slack: SlackHarness) -> None:
    channel = slack.declare("Queue backlog")
    moment = [1_000.0]
    slack.deps.channel_members.clock = lambda: moment[0]
    slack.fake.channels[channel].members.add("U2")
    _note(slack, "U2", channel, "first")
    assert _slack_asked(slack) == 1
    _note(slack, "U2", channel, "second")
    assert _slack_asked(slack) == 0, "the second note used the remembered answer"

    slack.fake.channels[channel].members.discard("U2")  # removed; the event never came
    moment[0] += 59
    assert _note(slack, "U2", channel, "third") == []  # still within the minute
    assert _slack_asked(slack) == 0
    moment[0] += 2
    assert _note(slack, "U2", channel, "fourth") == [
        "Only members of #inc-1-queue-backlog can change incident 1: join the channel first."
    ]
    assert _slack_asked(slack) == 1 and "U2" not in _members(slack)


def test_membership_events_take_effect_at_once(slack: SlackHarness) -> None:
    channel = slack.declare("Cert expired")
    slack.fake.channels[channel].members.add("U2")
    _note(slack, "U2", channel, "renewing")  # Slack's yes, remembered for a minute
    slack.fake.channels[channel].members.discard("U2")
    event = {"type": "member_left_channel", "user": "U2", "channel": channel, "team": "T0TEST"}
    assert slack.driver.event({**event, "channel_type": "C"}).status == 200
    slack.fake.wait_for(lambda f: "U2" not in _members(slack))
    assert _note(slack, "U2", channel, "after leaving")[0].startswith("Only members of #inc-1")

    slack.fake.channels[channel].members.add("U2")
    event["type"] = "member_joined_channel"
    assert slack.driver.event({**event, "channel_type": "C", "inviter": "U1"}).status == 200
    slack.fake.wait_for(lambda f: "U2" in _members(slack))
    assert _note(slack, "U2", channel, "back again") == []
    assert _slack_asked(slack) == 0, "the join event is Slack's word; no need to ask"


def test_refusals_never_name_a_private_channel(slack: SlackHarness) -> None:
    channel = slack.declare("Acme breach", flags="--private")
    name = slack.fake.channels[channel].name
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    slack.forget_replies()
    option = {"text": {"type": "plain_text", "text": "sev1"}, "value": "sev1"}
    slack.driver.block_action(
        "card_severity", None, "U3", channel=channel, message_ts=card_ts, selected_option=option
    )
    slack.fake.wait_for(lambda f: lines_to(f, "U3"))
    (line,) = lines_to(slack.fake, "U3")
    assert line == "Only members of the private channel of incident 1 can change it."
    assert "acme" not in line.lower() and name not in line and channel not in line


def test_a_stale_member_list_does_not_outlive_slacks_answer(slack: SlackHarness) -> None:
    channel = slack.declare("Key leak", flags="--private")
    slack.command("action Rotate the keys <@U1>", channel=channel)
    slack.fake.wait_for(lambda f: any("AI-1" in p for p in slack.posts(channel)))
    moment = [1_000.0]
    slack.deps.channel_members.clock = lambda: moment[0]
    event = {"type": "member_joined_channel", "user": "U2", "channel": channel, "team": "T0TEST"}
    slack.fake.channels[channel].members.add("U2")
    assert slack.driver.event({**event, "channel_type": "G", "inviter": "U1"}).status == 200
    slack.fake.wait_for(lambda f: "U2" in _members(slack))
    slack.fake.channels[channel].members.discard("U2")  # removed; member_left never arrives
    moment[0] += 61
    slack.forget_replies()
    slack.driver.block_action("action_done", "1", "U2", channel=slack.announce)
    slack.fake.wait_for(lambda f: lines_to(f, "U2"))
    assert lines_to(slack.fake, "U2") == [
        "There is no action item AI-1. `/incident actions` lists yours."
    ]
    assert "U2" not in _members(slack)
