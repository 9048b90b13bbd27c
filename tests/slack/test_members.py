"""Slack's answers about channel members are remembered for a bounded time and number."""

from __future__ import annotations

from bot.slack.members import ChannelMembers
from bot.slack.port import Notifier, slack_client
from tests.support.fakeslack import FakeSlack


def test_answers_are_bounded_in_age_and_number(fake: FakeSlack) -> None:
    channel = fake.add_channel("ops", members=["U1"])
    now = [0.0]
    members = ChannelMembers(
        Notifier(slack_client(fake.bot_token, fake.api_url)),
        ttl=60,
        max_entries=2,
        clock=lambda: now[0],
    )

    def asked() -> int:
        return len(fake.calls_to("conversations.members"))

    assert members.is_member(channel, "U1") and not members.is_member(channel, "U2")
    assert asked() == 2
    assert not members.is_member(channel, "U2") and asked() == 2  # remembered
    assert not members.is_member(channel, "U3") and asked() == 3  # pushes out U1's answer
    assert not members.is_member(channel, "U2") and asked() == 3
    assert members.is_member(channel, "U1") and asked() == 4
    now[0] = 60
    assert members.is_member(channel, "U1") and asked() == 5  # too old: asked again
    members.remember(channel, "U3", True)  # a member_joined_channel event
    assert members.is_member(channel, "U3") and asked() == 5
