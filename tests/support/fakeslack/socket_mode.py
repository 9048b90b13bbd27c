"""Slack's Socket Mode on 127.0.0.1 over WebSocket: `fake.socket_mode` of a FakeSlack.

The app calls apps.connections.open with its app-level (xapp-) token and gets
ws://127.0.0.1:PORT/link/?ticket=...&app_id=...; a ticket opens one connection (a reused or
unknown one is refused with HTTP 401 and recorded as a violation). Each connection is greeted
with `hello`; the test then sends envelopes and waits for the app's acks:

    url = client.apps_connections_open(app_token=fake.app_token)["url"]   # the app does this
    sm = fake.socket_mode
    sm.wait_for_connection(1)
    eid = sm.send_envelope("events_api", {"type": "event_callback", "event": {...}})
    assert sm.wait_for_ack(eid) == {"envelope_id": eid}
    sm.send_disconnect()          # Slack's "please reconnect" (refresh_requested)
    sm.drop_silently()            # a network blip: the TCP connection dies, no close frame

WebSocket pings from the app are answered with pongs echoing their payload (the websockets
library does it while the connection is read); the server sends no pings of its own unless
`ping_interval` is set. Envelope shapes follow Slack's (and slack_sdk's own test samples):
`retry_attempt`/`retry_reason` only on events_api, `accepts_response_payload` on all.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import uuid
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from .workspace import _real_monotonic

EnvelopeType = Literal["events_api", "slash_commands", "interactive"]
DropHow = Literal["reset", "eof", "blackhole"]
# interactive payloads whose ack may carry a response (errors, options); Bolt acks the rest bare
_RESPONDING_INTERACTIONS = ("view_submission", "block_suggestion")


@dataclass
class SocketConnection:
    """One WebSocket connection the app opened."""

    number: int  # 1 for the first connection accepted, 2 for the next, ...
    ws: ServerConnection
    opened_at: float  # real monotonic seconds, when `hello` was sent
    closed_at: float | None = None
    dropped: str = ""  # how drop_silently() cut it, if it did

    @property
    def live(self) -> bool:
        return self.closed_at is None and not self.dropped


@dataclass
class Ack:
    """The app's answer to an envelope: `{"envelope_id": ..., "payload": {...}?}`."""

    message: dict[str, Any]
    at: float  # real monotonic seconds
    seconds: float  # since the envelope was sent
    connection: int


class SocketModeServer:
    """Socket Mode's WebSocket side, served by an asyncio loop in a daemon thread."""

    def __init__(
        self,
        app_id: str,
        violation: Callable[[str], None],
        ping_interval: float | None = None,
    ) -> None:
        self.app_id = app_id
        self.violation = violation
        self.ping_interval = ping_interval
        self.port = 0
        self.received: list[dict[str, Any]] = []  # messages from the app that are not acks
        self._cond = threading.Condition()
        self._tickets: set[str] = set()
        self._conns: list[SocketConnection] = []
        self._sent: dict[str, tuple[dict[str, Any], float]] = {}
        self._acks: dict[str, Ack] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: Server | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> SocketModeServer:
        self._thread.start()
        self._run(self._serve())
        return self

    async def _serve(self) -> None:
        self._server = await serve(
            self._session,
            "127.0.0.1",
            0,
            process_request=self._check_ticket,
            ping_interval=self.ping_interval,
        )
        self.port = self._server.sockets[0].getsockname()[1]

    def stop(self) -> None:
        """Cut every connection and stop serving (idempotent)."""
        if not self._thread.is_alive():
            return
        self._run(self._shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    async def _shutdown(self) -> None:
        for conn in self._conns:
            conn.ws.transport.abort()
        if self._server is not None:
            self._server.close(close_connections=False)
            await self._server.wait_closed()

    def _run(self, work: Coroutine[Any, Any, Any], timeout: float = 5.0) -> Any:
        return asyncio.run_coroutine_threadsafe(work, self._loop).result(timeout)

    # ---- connecting ------------------------------------------------------------------------
    def new_url(self) -> str:
        """A one-time URL, as apps.connections.open answers."""
        ticket = str(uuid.uuid4())
        with self._cond:
            self._tickets.add(ticket)
        return f"ws://127.0.0.1:{self.port}/link/?ticket={ticket}&app_id={self.app_id}"

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        url = urlsplit(request.path)
        ticket = (parse_qs(url.query).get("ticket") or [""])[0]
        with self._cond:
            valid = url.path.rstrip("/") == "/link" and ticket in self._tickets
            self._tickets.discard(ticket)
        if valid:
            return None
        self.violation(f"Socket Mode: connect with an unknown or used ticket ({request.path})")
        return connection.respond(HTTPStatus.UNAUTHORIZED, "invalid ticket\n")

    async def _session(self, ws: ServerConnection) -> None:
        with self._cond:  # counted before its hello, as Slack's connection exists by then
            conn = SocketConnection(len(self._conns) + 1, ws, _real_monotonic())
            live = 1 + sum(c.live for c in self._conns)
            self._conns.append(conn)
            self._cond.notify_all()
        hello = {
            "type": "hello",
            "num_connections": live,
            "debug_info": {
                "host": f"applink-fake-{conn.number}",
                "build_number": 1,
                "approximate_connection_time": 18060,
            },
            "connection_info": {"app_id": self.app_id},
        }
        try:
            await ws.send(json.dumps(hello))
            async for raw in ws:
                self._receive(conn, raw)
        except ConnectionClosed:
            pass
        finally:
            with self._cond:
                conn.closed_at = _real_monotonic()
                self._cond.notify_all()

    def _receive(self, conn: SocketConnection, raw: str | bytes) -> None:
        try:
            message = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.violation(f"Socket Mode: the app sent something not JSON: {raw!r:.200}")
            return
        eid = message.get("envelope_id") if isinstance(message, dict) else None
        with self._cond:
            if eid is None:
                self.received.append(message)
            elif eid not in self._sent:
                self.violation(f"Socket Mode: ack for an envelope never sent: {eid}")
            elif eid in self._acks:
                self.violation(f"Socket Mode: envelope {eid} acked twice")
            else:
                now = _real_monotonic()
                self._acks[eid] = Ack(message, now, now - self._sent[eid][1], conn.number)
            self._cond.notify_all()

    # ---- what tests do ---------------------------------------------------------------------
    def send_envelope(
        self,
        type: EnvelopeType,
        payload: dict[str, Any],
        retry_attempt: int = 0,
        retry_reason: str = "",
        accepts_response_payload: bool | None = None,
        timeout: float = 5.0,
    ) -> str:
        """Send an envelope on the newest live connection (waiting up to `timeout` for one);
        returns its envelope_id. `accepts_response_payload` defaults as Slack sets it."""
        if accepts_response_payload is None:
            accepts_response_payload = type == "slash_commands" or (
                type == "interactive" and payload.get("type") in _RESPONDING_INTERACTIONS
            )
        eid = str(uuid.uuid4())
        envelope: dict[str, Any] = {"envelope_id": eid, "payload": payload, "type": type}
        envelope["accepts_response_payload"] = accepts_response_payload
        if type == "events_api" or retry_attempt:
            envelope.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        conn = self._newest_live(timeout)
        with self._cond:
            self._sent[eid] = (envelope, _real_monotonic())
        self._run(conn.ws.send(json.dumps(envelope)))
        return eid

    def wait_for_ack(self, envelope_id: str, timeout: float = 3.0) -> dict[str, Any]:
        """The app's ack of an envelope, waiting up to `timeout` seconds (Slack waits 3)."""
        with self._cond:
            if not self._cond.wait_for(lambda: envelope_id in self._acks, timeout):
                raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s")
            return self._acks[envelope_id].message

    def ack(self, envelope_id: str) -> Ack | None:
        """The ack with its timing, if it came."""
        with self._cond:
            return self._acks.get(envelope_id)

    def send_disconnect(self, reason: str = "refresh_requested") -> int:
        """Tell the newest live connection to reconnect, as Slack does before it recycles a
        connection; returns that connection's number. The connection stays open."""
        conn = self._newest_live(0)
        message = {"type": "disconnect", "reason": reason}
        message["debug_info"] = {"host": f"applink-fake-{conn.number}"}
        self._run(conn.ws.send(json.dumps(message)))
        return conn.number

    def drop_silently(self, how: DropHow = "reset") -> int:
        """Kill the newest live connection without a close frame; returns its number.

        "reset": TCP RST (as a load balancer or NAT dropping the flow), "eof": TCP FIN, and
        "blackhole": the connection stays open but nothing is read or answered any more (no
        pongs), as when the network path dies; only ping timeouts notice that."""
        conn = self._newest_live(0)
        with self._cond:
            conn.dropped = how
        self._run(self._cut(conn.ws, how))
        return conn.number

    @staticmethod
    async def _cut(ws: ServerConnection, how: DropHow) -> None:
        transport = ws.transport
        sock = transport.get_extra_info("socket")
        if how == "blackhole":
            transport.pause_reading()
            return
        if how == "reset":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        else:
            sock.shutdown(socket.SHUT_RDWR)
        transport.abort()

    def connections(self) -> int:
        """How many connections are open and not dropped."""
        with self._cond:
            return sum(c.live for c in self._conns)

    def total_connections(self) -> int:
        """How many connections were ever accepted."""
        with self._cond:
            return len(self._conns)

    def wait_for_connection(self, number: int, timeout: float = 10.0) -> SocketConnection:
        """Wait until the `number`-th connection (1-based) was accepted and greeted."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._conns) >= number, timeout):
                raise AssertionError(
                    f"connection #{number} did not come within {timeout}s "
                    f"({len(self._conns)} so far)"
                )
            return self._conns[number - 1]

    def _newest_live(self, timeout: float) -> SocketConnection:
        with self._cond:
            self._cond.wait_for(lambda: any(c.live for c in self._conns), timeout)
            live = [c for c in self._conns if c.live]
            if not live:
                raise AssertionError("no live Socket Mode connection")
            return live[-1]
