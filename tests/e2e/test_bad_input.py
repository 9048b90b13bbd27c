"""Bad input and Slack failures: one clear ephemeral line, nothing half-made."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.models import Incident, TimelineEntry
from tests.support.harness import SlackHarness


def _count(slack: SlackHarness, model: type) -> int:
    with slack.deps.db.unit_of_work() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _one_line(slack: SlackHarness, response: object, *, wait: bool = True) -> str:
    """The single ephemeral line the typist got (in the ack or via response_url)."""
    body = response.json() if response.text else {}  # type: ignore[attr-defined]
    if body.get("text"):
        return str(body["text"])
    if wait:
        slack.wait_reply()
    (line,) = slack.ephemerals()
    assert "\n" not in line and "Traceback" not in line
    return line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frobnicate now", "`frobnicate` is not an /incident subcommand"),
        ("declare sev9 Bad", "`sev9` is not a severity: use one of sev1, sev2, sev3, sev4."),
        ("declare --loud Bad", "`--loud` is not an option"),
        ("note something", "only works in an incident channel"),
        ("severity sev1", "only works in an incident channel"),
        ("timeline", "only works in an incident channel"),
    ],
)
def test_bad_commands_get_one_clear_line(slack: SlackHarness, text: str, expected: str) -> None:
    line = _one_line(slack, slack.command(text))
    assert expected in line
    assert _count(slack, Incident) == 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("severity critical", "`critical` is not a severity"),
        ("severity", "Missing severity. Use: `/incident severity"),
        ("status sleeping", "`sleeping` is not a status"),
        ("note at 25:99 x", "`25:99` is not a time: use HH:MM"),
        ("note at 2026-11-26T10:00:00 x", "has no offset"),
        ("detected at 2099-01-01 10:00", "is in the future"),
        ("note", "Missing text. Use: `/incident note [at TIME] TEXT`"),
        ("role boss <@U2>", "Use: `/incident role commander|scribe|comms @user`"),
        ("role scribe bob", "`bob` is not a person"),
        ("note " + "x" * 3001, "The note is 3001 characters; Slack allows 3000"),
    ],
    ids=lambda v: v[:40],
)
def test_bad_arguments_in_channel(slack: SlackHarness, text: str, expected: str) -> None:
    channel = slack.declare("Bad input")
    before = _count(slack, TimelineEntry)
    slack.forget_replies()
    line = _one_line(slack, slack.command(text, channel=channel))
    assert expected in line
    assert _count(slack, TimelineEntry) == before


def test_ambiguous_time_in_local_zone(make_slack: object) -> None:
    slack = make_slack(INCIDENT_TIMEZONE="Europe/Berlin")  # type: ignore[operator]
    channel = slack.declare("DST")
    slack.forget_replies()
    line = _one_line(slack, slack.command("note at 2026-10-25 02:30 x", channel=channel))
    assert "ambiguous" in line and "Give the offset: 2026-10-25T02:30+02:00" in line


def test_milestone_out_of_order_changes_nothing(slack: SlackHarness) -> None:
    channel = slack.declare("Order")
    earlier = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    slack.command("mitigated", channel=channel)
    slack.fake.wait_for(lambda f: any("Marked mitigated" in p for p in slack.posts(channel)))
    slack.forget_replies()
    line = _one_line(slack, slack.command("resolved at " + earlier, channel=channel))
    assert "resolved can't be" in line and "before mitigated" in line
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        # `mitigated` moved the status to monitoring; the refused `resolved` changed nothing
        assert incident.resolved_at is None and incident.status == "monitoring"


def test_name_taken_gets_a_new_name(slack: SlackHarness) -> None:
    slack.fake.add_channel("inc-1-db-down")
    channel = slack.declare("DB down")
    assert slack.fake.channels[channel].name == "inc-1-db-down-2"
    assert _count(slack, Incident) == 1


def test_channel_refused_for_good_leaves_nothing(slack: SlackHarness) -> None:
    slack.fake.fail("conversations.create", error="restricted_action", times=1)
    line = _one_line(slack, slack.command("declare sev1 Broken"))
    assert "Couldn't create the incident channel" in line and "Nothing was recorded" in line
    assert _count(slack, Incident) == 0 and _count(slack, TimelineEntry) == 0


def test_channel_slack_fails_to_make_is_made_later_and_linked(slack: SlackHarness) -> None:
    # A 500 says nothing about whether the channel was made: recorded, finished from the record.
    slack.fake.server_error("conversations.create", status=500, times=2)
    line = _one_line(slack, slack.command("declare sev1 Flaky create"))
    assert line.startswith("Incident 1 is recorded") and "try" not in line
    dm = slack.fake.wait_for(
        lambda f: [c for c in f.calls_to("chat.postMessage") if "declared: <#" in c.args["text"]],
        timeout=15,
    )
    slack.fake.wait_for(lambda f: slack.declared(), timeout=15)
    (made,) = [c for c in slack.fake.calls_to("conversations.create") if c.ok]
    channel = made.response["channel"]["id"]
    assert f"<#{channel}>" in dm[0].args["text"]
    assert len(slack.fake.channels[channel].pins) == 1
    assert [c.status for c in slack.fake.calls_to("conversations.create")] == [500, 500, 200]


def test_rate_limit_is_retried_after_retry_after(slack: SlackHarness) -> None:
    slack.fake.rate_limit("conversations.create", retry_after=1, times=1)
    slack.declare("Rate limited")
    creates = slack.fake.calls_to("conversations.create")
    assert [c.status for c in creates] == [429, 200]
    assert creates[1].at - creates[0].at >= 1.0
    assert _count(slack, Incident) == 1


def test_lost_answer_to_channel_creation_adopts_the_channel(slack: SlackHarness) -> None:
    # Slack made the channel but its answer never came: the retry finds it by its name.
    slack.fake.drop_answer("conversations.create")
    line = _one_line(slack, slack.command("declare sev2 Lost answer"))
    assert line.startswith("Incident 1 is recorded")
    slack.fake.wait_for(lambda f: f.calls_to("bookmarks.add"), timeout=15)
    slack.fake.wait_for(lambda f: slack.declared(), timeout=15)
    names = [c.name for c in slack.fake.channels.values() if c.name.startswith("inc-")]
    assert names == ["inc-1-lost-answer"]
    assert not slack.fake.calls_to("conversations.archive")
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
    assert slack.fake.channels[incident.channel_id or ""].name == "inc-1-lost-answer"
    assert slack.fake.calls_to("conversations.list"), "found by its name"
    slack.fake.assert_no_violations()


def test_announce_channel_problems_are_reported_not_fatal(slack: SlackHarness) -> None:
    slack.fake.channels[slack.announce].members.discard("UBOT")
    slack.fake.channels[slack.announce].is_private = True
    channel = slack.declare("Announce fails")
    assert "Incident 1 declared" in slack.ephemerals()[0]
    warning = slack.fake.wait_for(
        lambda f: [p for p in slack.posts(channel) if "announcement" in p], timeout=10
    )
    assert "failed" in warning[0] and "not in that channel" in warning[0]
    assert _count(slack, Incident) == 1


def test_post_refused_after_commit_says_it_was_recorded(slack: SlackHarness) -> None:
    channel = slack.declare("Lost channel")
    slack.forget_replies()
    slack.fake.fail("chat.postMessage", error="channel_not_found", times=1)
    slack.command("note keep this", channel=channel)
    line = slack.wait_reply()[0]
    assert line.startswith("Recorded on the timeline") and "can't find that channel" in line
    assert "try again" not in line
    with slack.deps.db.unit_of_work() as session:
        assert session.scalar(select(TimelineEntry).where(TimelineEntry.text == "keep this"))


def test_unsigned_or_forged_requests_are_refused(slack: SlackHarness) -> None:
    response = slack.driver.command("/incident", "help", user="U1", channel="C1", secret="wrong")
    assert response.status == 401


def test_card_slack_fails_to_post_is_posted_later_once(slack: SlackHarness) -> None:
    slack.fake.server_error("chat.postMessage", status=500, times=3)
    slack.command("declare sev2 Card fails")
    assert "Incident 1 declared" in slack.wait_reply()[0]
    slack.fake.wait_for(lambda f: slack.declared(), timeout=30)
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
    channel = incident.channel_id or ""
    cards = [
        c for c in slack.fake.calls_to("chat.postMessage") if c.ok and c.args["channel"] == channel
    ]
    assert len(cards) == 1 and incident.card_ts == cards[0].response["ts"]
    assert slack.fake.channels[channel].pins == {incident.card_ts}


def test_first_incidents_declared_at_once_get_distinct_numbers(slack: SlackHarness) -> None:
    import threading

    threads = [
        threading.Thread(target=slack.command, args=(f"declare Race {n}",)) for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.fake.wait_for(lambda f: _count(slack, Incident) == 4, timeout=20)
    with slack.deps.db.unit_of_work() as session:
        numbers = sorted(session.scalars(select(Incident.number)))
    assert len(set(numbers)) == 4
