"""Socket Mode: the real app and its Socket Mode client (bot.socket_mode, as `serve` runs it)
against the fake's WebSocket server: acks in time, the same behaviour as over HTTP, new
connections after every kind of drop, and each event handled once however often it comes."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import Incident
from bot.slack import ids
from tests.support.capture import incident_with_message, kept
from tests.support.dbs import truncate_all
from tests.support.fakeslack import FakeSlack
from tests.support.harness import SlackHarness
from tests.support.socketdriver import NO_ACK

SLACK_ACK_DEADLINE = 3.0


@pytest.fixture
def socket_slack(make_slack: Callable[..., SlackHarness]) -> SlackHarness:
    """The app over Socket Mode, on SQLite and on PostgreSQL."""
    return make_slack(socket_mode=True)


@pytest.fixture
def sqlite_socket_slack(
    request: pytest.FixtureRequest, fake_slack: FakeSlack
) -> Iterator[SlackHarness]:
    """The app over Socket Mode on SQLite only: for what the database plays no part in."""
    db = request.getfixturevalue("_sqlite_db")
    truncate_all(db)
    harness = SlackHarness(db, fake_slack, socket_mode=True)
    yield harness
    harness.close()


def _incident_severity(slack: SlackHarness) -> str:
    with slack.deps.db.unit_of_work() as session:
        return session.scalars(select(Incident)).one().severity


def test_declare_reaction_and_card_button_work_as_over_http(socket_slack: SlackHarness) -> None:
    slack = socket_slack
    sm = slack.fake.socket_mode
    assert sm.wait_for_connection(1).live
    channel, ts = incident_with_message(slack)  # `/incident declare`: channel, card, pin
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    assert slack.fake.channels[channel].name.startswith("inc-1-")
    assert card_ts in slack.fake.channels[channel].pins
    assert slack.driver.reaction_added("U1", "pushpin", channel, ts).status == 200
    (entry,) = kept(slack)
    assert (entry.message_ts, entry.author, entry.source) == (ts, "U2", "reaction")
    clicked = slack.driver.block_action(
        ids.CARD_SEVERITY,
        None,
        "U1",
        channel=channel,
        message_ts=card_ts,
        selected_option={"text": {"type": "plain_text", "text": "sev1"}, "value": "sev1"},
    )
    assert clicked.status == 200
    slack.fake.wait_for(lambda f: _incident_severity(slack) == "sev1")
    refused = slack.command("frobnicate", channel=channel)
    assert "is not an /incident subcommand" in refused.json()["text"]  # an answer rides the ack
    acks = [sm.ack(eid) for eid in slack.driver.envelope_ids]  # type: ignore[attr-defined]
    assert all(a is not None and a.seconds < SLACK_ACK_DEADLINE for a in acks), acks
    assert {a.connection for a in acks if a} == {1}
    slack.fake.assert_no_violations()


def test_redelivered_event_is_handled_once(socket_slack: SlackHarness) -> None:
    slack = socket_slack
    channel, ts = incident_with_message(slack)
    first = slack.driver.reaction_added("U1", "pushpin", channel, ts)
    assert first.status == 200
    event, event_id = first.payload["event"], first.payload["event_id"]
    for attempt in (1, 2):
        again = slack.driver.event(event, event_id=event_id, retry_num=attempt)
        assert again.status == 200, "a redelivery of a handled event is acked"
    assert len(kept(slack, ts)) == 1
    assert len(slack.fake.calls_to("conversations.history")) == 1, "handled once"


def test_event_that_failed_is_handled_when_slack_delivers_it_again(
    socket_slack: SlackHarness,
) -> None:
    slack = socket_slack
    channel, ts = incident_with_message(slack)
    slack.fake.server_error("conversations.history", times=3)  # every try of the first delivery
    first = slack.driver.reaction_added("U1", "pushpin", channel, ts)
    assert first.status == NO_ACK, "a failed event is not acked, so Slack delivers it again"
    assert kept(slack, ts) == []
    event, event_id = first.payload["event"], first.payload["event_id"]
    again = slack.driver.event(event, event_id=event_id, retry_num=1, retry_reason="timeout")
    assert again.status == 200
    (entry,) = kept(slack, ts)
    assert entry.source == "reaction"


@pytest.mark.parametrize("drop", ["reset", "eof", "blackhole", "refresh_requested"])
def test_a_new_connection_follows_every_kind_of_drop(
    sqlite_socket_slack: SlackHarness, drop: Any
) -> None:
    slack = sqlite_socket_slack
    sm = slack.fake.socket_mode
    first = sm.wait_for_connection(1)
    assert slack.command("help").status == 200
    dropped_at = time.monotonic()
    if drop == "refresh_requested":
        assert sm.send_disconnect() == 1
    else:
        assert sm.drop_silently(drop) == 1
    second = sm.wait_for_connection(2, timeout=10)
    assert second.opened_at - dropped_at < 10  # a silent drop (blackhole) too
    if drop == "refresh_requested":  # the next connection first, then the old one goes
        assert second.opened_at - dropped_at < 1
        assert first.closed_at is None or first.closed_at > second.opened_at
        slack.fake.wait_for(lambda f: sm.connections() == 1, timeout=10)
    declared = slack.command(f"declare sev3 After a {drop}")
    assert declared.status == 200 and declared.elapsed < SLACK_ACK_DEADLINE
    envelope_id = slack.driver.envelope_ids[-1]  # type: ignore[attr-defined]
    ack = sm.ack(envelope_id)
    assert ack is not None and ack.connection == 2
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"))
    assert sm.total_connections() == 2, "one new connection, not a burst of them"
    opens = slack.fake.calls_to("apps.connections.open")
    assert len(opens) == 2 and all(c.ok for c in opens)
    slack.fake.assert_no_violations()
