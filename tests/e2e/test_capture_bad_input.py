"""Capture's bad input: handled quietly and correctly, nothing kept that shouldn't be."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import TimelineEntry, TimelineRevision
from tests.support.capture import incident_with_message, kept, settle, shortcut_replies
from tests.support.harness import SlackHarness


def _count(slack: SlackHarness, model: type) -> int:
    with slack.deps.db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _quiet(slack: SlackHarness, channel: str, posts_before: int) -> None:
    """Nothing said in the channel, nobody bothered, no Slack rule broken."""
    assert len(slack.posts(channel)) == posts_before
    assert not slack.fake.calls_to("chat.postEphemeral")
    slack.fake.assert_no_violations()


def test_reaction_outside_an_incident_channel_is_ignored(slack: SlackHarness) -> None:
    slack.declare("Elsewhere")
    general = slack.fake.add_channel("general", members=["U1", "U2", "UBOT"])
    ts = slack.fake.add_message(general, "U2", "lunch?")
    assert slack.driver.reaction_added("U1", "pushpin", general, ts).status == 200
    slack.driver.message_shortcut("add_to_timeline", general, ts, user="U1")
    slack.fake.wait_for(lambda f: shortcut_replies(slack))
    assert "Only messages in an incident channel" in shortcut_replies(slack)[0]["text"]
    slack.idle()  # every request above answered and its work finished
    assert kept(slack) == [] and not slack.fake.calls_to("conversations.history")
    _quiet(slack, general, 0)


def test_message_the_bot_cannot_read_is_skipped(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    posts = len(slack.posts(channel))
    slack.fake.channels[channel].members.discard(slack.fake.bot_user_id)
    slack.driver.reaction_added("U1", "pushpin", channel, ts)
    slack.fake.wait_for(lambda f: f.calls_to("conversations.history"))
    (history,) = slack.fake.calls_to("conversations.history")
    assert history.response["error"] == "not_in_channel"
    slack.idle()  # every request above answered and its work finished
    assert kept(slack) == []
    _quiet(slack, channel, posts)


def test_reaction_on_a_deleted_message_keeps_nothing(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    posts = len(slack.posts(channel))
    slack.driver.message_deleted(channel, ts)
    slack.driver.reaction_added("U1", "pushpin", channel, ts)
    settle(slack, "conversations.replies", 1)
    assert kept(slack) == [] and _count(slack, TimelineRevision) == 0
    _quiet(slack, channel, posts)


def test_edit_or_delete_of_an_uncaptured_message_changes_nothing(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    entries = _count(slack, TimelineEntry)
    posts = len(slack.posts(channel))
    slack.driver.message_changed(channel, ts, "edited, never kept", user="U2")
    slack.driver.message_deleted(channel, ts)
    slack.idle()  # every request above answered and its work finished
    assert _count(slack, TimelineEntry) == entries
    assert _count(slack, TimelineRevision) == 0
    _quiet(slack, channel, posts)


def test_non_member_cannot_add_to_the_timeline(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    slack.driver.reaction_added("U3", "pushpin", channel, ts)  # U3 never joined
    slack.driver.message_shortcut("add_to_timeline", channel, ts, user="U3")
    slack.fake.wait_for(lambda f: shortcut_replies(slack))
    assert "Only members of the incident channel" in shortcut_replies(slack)[0]["text"]
    slack.idle()  # every request above answered and its work finished
    assert kept(slack) == []
    assert slack.fake.calls_to("conversations.members"), "membership was checked with Slack"
