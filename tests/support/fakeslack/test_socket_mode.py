"""FakeSlack's Socket Mode server, with slack_sdk's built-in SocketModeClient and a raw client."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import connect

from tests.support.fakeslack import FakeSlack
from tests.support.fakeslack.socket_mode import SocketModeServer

EVENT = {
    "type": "event_callback",
    "team_id": "T0TEST",
    "api_app_id": "A0FAKEAPP1",
    "event": {"type": "app_mention", "user": "U1", "text": "<@UBOT> hi", "ts": "1.000001"},
    "event_id": "Ev0001",
    "event_time": 1,
}
COMMAND = {"command": "/incident", "text": "declare", "user_id": "U1", "channel_id": "C1"}


class Bot:
    """A plain slack_sdk SocketModeClient that acks everything (slash commands with a text)."""

    def __init__(self, fake: FakeSlack, ping_interval: float) -> None:
        web = WebClient(base_url=fake.api_url, timeout=5)
        self.client = SocketModeClient(
            app_token=fake.app_token, web_client=web, ping_interval=ping_interval
        )
        self.messages: list[dict[str, Any]] = []
        self.requests: list[SocketModeRequest] = []
        self.client.message_listeners.append(lambda _c, msg, _raw: self.messages.append(msg))
        self.client.socket_mode_request_listeners.append(self._ack)

    def _ack(self, client: Any, req: SocketModeRequest) -> None:
        self.requests.append(req)
        payload = {"text": "on it"} if req.type == "slash_commands" else None
        client.send_socket_mode_response(SocketModeResponse(req.envelope_id, payload=payload))


@pytest.fixture
def bots(fake: FakeSlack) -> Iterator[Callable[..., Bot]]:
    made: list[Bot] = []

    def start(ping_interval: float = 5.0) -> Bot:
        bot = Bot(fake, ping_interval)
        made.append(bot)
        bot.client.connect()
        return bot

    yield start
    for bot in made:
        bot.client.default_auto_reconnect_enabled = bot.client.auto_reconnect_enabled = False
    fake.socket_mode.stop()  # ends the clients' blocking reads: close() need not wait 3 s
    for bot in made:
        bot.client.close()


def poll(predicate: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
    return value


def round_trip(sm: SocketModeServer, connection: int, within: float = 6.0) -> None:
    """An event reaches the app on connection #`connection` and is acked `within` seconds.

    slack_sdk 3.48's built-in client reads a new connection only once its old receive loop
    leaves a blocking recv (3 s socket timeout), so right after a reconnect an envelope can
    wait about 3 s: more than Slack's ack deadline, hence 6 s here."""
    eid = sm.send_envelope("events_api", EVENT)
    assert sm.wait_for_ack(eid, timeout=within) == {"envelope_id": eid}
    ack = sm.ack(eid)
    assert ack is not None and ack.connection == connection


def test_hello_envelopes_acks_pings_and_disconnect(
    fake: FakeSlack, bots: Callable[..., Bot]
) -> None:
    bot = bots(ping_interval=0.5)
    sm = fake.socket_mode
    sm.wait_for_connection(1)
    hello = poll(lambda: bot.messages)[0]
    assert hello["type"] == "hello" and hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": fake.app_id} and "host" in hello["debug_info"]
    eid = sm.send_envelope("slash_commands", COMMAND)
    assert sm.wait_for_ack(eid) == {"envelope_id": eid, "payload": {"text": "on it"}}
    retried = sm.send_envelope("events_api", EVENT, retry_attempt=1, retry_reason="timeout")
    sm.wait_for_ack(retried)
    (command, event) = bot.requests
    assert (command.type, command.accepts_response_payload, command.payload) == (
        "slash_commands",
        True,
        COMMAND,
    )
    assert (event.retry_attempt, event.retry_reason, event.accepts_response_payload) == (
        1,
        "timeout",
        False,
    )
    # the server answers the client's pings (payload "session:time") with matching pongs
    session = bot.client.current_session
    first = poll(lambda: session.last_ping_pong_time)
    poll(lambda: session.last_ping_pong_time != first, timeout=3)
    assert sm.send_disconnect() == 1
    sm.wait_for_connection(2)
    round_trip(sm, 2)  # about 3 s late with the built-in client: see round_trip
    poll(lambda: sm.connections() == 1)  # the client closed the old connection itself
    opens = fake.calls_to("apps.connections.open")
    assert len(opens) == 2 and all(c.ok for c in opens)
    fake.assert_no_violations()


@pytest.mark.parametrize("how", ["reset", "eof", "blackhole"])
def test_client_reconnects_after_drop_silently(
    fake: FakeSlack, bots: Callable[..., Bot], how: str
) -> None:
    bots(ping_interval=0.5)
    sm = fake.socket_mode
    sm.wait_for_connection(1)
    round_trip(sm, 1)
    assert sm.drop_silently(how) == 1  # type: ignore[arg-type]
    assert sm.connections() == 0
    sm.wait_for_connection(2, timeout=15)
    round_trip(sm, 2)
    fake.assert_no_violations()


def test_tokens_tickets_shapes_and_bad_acks(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as bot_token:
        client.apps_connections_open(app_token=fake.bot_token)
    assert bot_token.value.response["error"] == "not_allowed_token_type"
    app = WebClient(token=fake.app_token, base_url=fake.api_url)
    with pytest.raises(SlackApiError) as app_token:
        app.chat_postMessage(channel="C1", text="x")
    assert app_token.value.response["error"] == "not_allowed_token_type"
    url = app.apps_connections_open(app_token=fake.app_token)["url"]
    assert url.startswith("ws://127.0.0.1:") and "/link/?ticket=" in url
    sm = fake.socket_mode
    with connect(url, open_timeout=5) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "hello" and sm.connections() == 1
        sent = {
            "slash_commands": sm.send_envelope("slash_commands", COMMAND),
            "events_api": sm.send_envelope("events_api", EVENT),
            "view_submission": sm.send_envelope("interactive", {"type": "view_submission"}),
            "block_actions": sm.send_envelope("interactive", {"type": "block_actions"}),
        }
        got = {name: json.loads(ws.recv(timeout=5)) for name in sent}
        assert {n: e["envelope_id"] for n, e in got.items()} == sent
        assert {n: e["accepts_response_payload"] for n, e in got.items()} == {
            "slash_commands": True,
            "events_api": False,
            "view_submission": True,
            "block_actions": False,
        }
        assert set(got["slash_commands"]) == {
            "envelope_id",
            "payload",
            "type",
            "accepts_response_payload",
        }
        assert (got["events_api"]["retry_attempt"], got["events_api"]["retry_reason"]) == (0, "")
        with pytest.raises(AssertionError, match="no ack"):
            sm.wait_for_ack(sent["events_api"], timeout=0.1)
        for text in ('{"envelope_id": "never-sent"}', "not json", '{"type": "other"}'):
            ws.send(text)
        ws.send(json.dumps({"envelope_id": sent["events_api"]}))
        ws.send(json.dumps({"envelope_id": sent["events_api"]}))
        fake.wait_for(lambda f: len(f.violations) == 3)
        assert sm.received == [{"type": "other"}]
        sm.send_disconnect("link_disabled")
        assert json.loads(ws.recv(timeout=5)) == {
            "type": "disconnect",
            "reason": "link_disabled",
            "debug_info": {"host": "applink-fake-1"},
        }
        sm.drop_silently("reset")
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    with pytest.raises(InvalidStatus) as reused:
        connect(url, open_timeout=5)
    assert reused.value.response.status_code == 401
    expected = ["ack for an envelope never sent", "not JSON", "acked twice", "used ticket"]
    assert len(fake.violations) == 4
    assert all(want in got for want, got in zip(expected, fake.violations, strict=True))


def test_rate_limited_connections_open_is_waited_out(
    fake: FakeSlack, bots: Callable[..., Bot]
) -> None:
    fake.enforce_rate_limits(scale=30, tiers={"apps.connections.open": 1})  # 1 per 2 s
    bots()
    sm = fake.socket_mode
    sm.wait_for_connection(1)
    round_trip(sm, 1)
    started = time.monotonic()
    sm.send_disconnect()
    sm.wait_for_connection(2, timeout=10)
    assert time.monotonic() - started >= 1.5  # slept Retry-After, then asked again
    (hit,) = fake.rate_limited_calls()
    assert (hit.method, hit.retry_after) == ("apps.connections.open", 2)
    round_trip(sm, 2)


def test_slow_and_lost_connections_open_answers(fake: FakeSlack, bots: Callable[..., Bot]) -> None:
    bots()
    sm = fake.socket_mode
    sm.wait_for_connection(1)
    fake.slow("apps.connections.open", 0.5)
    fake.drop_answer("apps.connections.open")
    started = time.monotonic()
    sm.send_disconnect()
    sm.wait_for_connection(2, timeout=10)
    assert time.monotonic() - started >= 1.0  # two slow answers, the first one lost
    opens = fake.calls_to("apps.connections.open")
    assert [c.dropped for c in opens] == [False, True, False]
    round_trip(sm, 2)
    fake.assert_no_violations()  # a URL never used is fine
