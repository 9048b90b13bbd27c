"""Socket Mode: one WebSocket to Slack kept open, its envelopes handed to the Bolt app.

Why our own small client rather than one of slack_bolt's adapters: the bot is a sync Bolt app,
and a connection that dies without a word (a NAT or load balancer dropping the flow) must be
replaced within seconds. Measured against tests/support/fakeslack (README, Socket Mode):
slack_sdk's built-in client took 12 s or more to notice such a drop and spins a core on EOF;
its websocket_client client sends pings but never checks the pongs (no ping timeout, and the
Bolt adapter exposes none), so it never notices; its websockets client needs an AsyncApp.
`websockets`' threading client has keepalive with a pong deadline, so a silent drop ends the
connection after at most PING_INTERVAL + PING_TIMEOUT + CLOSE_TIMEOUT seconds (7 s) and we open
the next one at once. Everything else is the Socket Mode protocol, which is small: `hello`,
`disconnect` (open a new connection, keep reading the old one a little), envelopes to ack.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from websockets.exceptions import ConnectionClosed, WebSocketException
from websockets.sync.client import ClientConnection, connect

from bot.errors import SlackFailure
from bot.slack.port import Notifier

log = logging.getLogger(__name__)
# websockets logs a lost keepalive as an ERROR with a traceback; _read reports every lost
# connection once, as a warning, so the library's own account is kept out of the logs.
_wire_log = logging.getLogger(f"{__name__}.wire")
_wire_log.setLevel(logging.CRITICAL)

PING_INTERVAL = 3.0  # seconds between our pings
PING_TIMEOUT = 3.0  # a pong later than this ends the connection (a silent drop)
CLOSE_TIMEOUT = 1.0  # how long a dead connection may take to close
REFRESH_GRACE = 5.0  # after `disconnect`, envelopes already sent on the old connection still come
BACKOFF = (0.0, 1.0, 2.0, 5.0, 10.0, 30.0)  # seconds before attempt n+1 after n failures
MAX_MESSAGE = 16 * 2**20


class SocketModeClient:
    """Keeps one Socket Mode connection open and feeds its envelopes to `app`."""

    def __init__(
        self,
        app: App,
        notifier: Notifier,
        app_token: str,
        *,
        workers: int = 8,
        ping_interval: float = PING_INTERVAL,
        ping_timeout: float = PING_TIMEOUT,
        refresh_grace: float = REFRESH_GRACE,
    ) -> None:
        self.app = app
        self.notifier = notifier
        self.app_token = app_token
        self.ping_interval = ping_interval
        self.ping_timeout = ping_timeout
        self.refresh_grace = refresh_grace
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="envelope")
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._open: set[ClientConnection] = set()
        self._current: ClientConnection | None = None
        self._failures = 0
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> None:
        """Ask Slack for the first URL here (a refused app token stops start-up with
        SlackFailure), then keep a connection open from a background thread."""
        url = self._url()
        self._thread = threading.Thread(
            target=self._run, args=(url,), name="socket-mode", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Close every connection; envelopes being handled finish, unacked ones Slack resends."""
        self._stopping.set()
        with self._lock:
            connections = list(self._open)
        for ws in connections:
            ws.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pool.shutdown(wait=True)

    def connected(self) -> bool:
        """Whether a connection is open (Slack said hello on it)."""
        with self._lock:
            return self._current is not None

    # ---- connecting ------------------------------------------------------------------------
    def _url(self) -> str:
        return str(self.notifier.call("apps.connections.open", app_token=self.app_token)["url"])

    def _run(self, url: str | None) -> None:
        """Open a connection, read it until it ends or Slack asks for a new one; again."""
        while not self._stopping.is_set():
            delay = BACKOFF[min(self._failures, len(BACKOFF) - 1)]
            if delay and self._stopping.wait(delay):
                return
            self._failures += 1  # until the next `hello`
            try:
                ws = connect(
                    url or self._url(),
                    open_timeout=10,
                    ping_interval=self.ping_interval,
                    ping_timeout=self.ping_timeout,
                    close_timeout=CLOSE_TIMEOUT,
                    max_size=MAX_MESSAGE,
                    logger=_wire_log,
                )
            except (SlackFailure, OSError, WebSocketException) as exc:
                log.warning("Socket Mode: could not connect (%s); trying again", exc)
                continue
            finally:
                url = None  # a URL opens one connection only
            with self._lock:
                self._open.add(ws)
            successor_wanted = threading.Event()
            reader = threading.Thread(
                target=self._read, args=(ws, successor_wanted), name="socket-read", daemon=True
            )
            reader.start()
            successor_wanted.wait()

    def _read(self, ws: ClientConnection, successor_wanted: threading.Event) -> None:
        """Every message of one connection, until it closes."""
        try:
            with ws:  # closed on the way out, whatever ends the loop
                for raw in ws:
                    self._receive(ws, raw, successor_wanted)
        except ConnectionClosed as exc:
            if not self._stopping.is_set():
                log.warning("Socket Mode: connection lost (%s); reconnecting", exc)
        finally:
            with self._lock:
                self._open.discard(ws)
                if self._current is ws:
                    self._current = None
            successor_wanted.set()

    def _receive(
        self, ws: ClientConnection, raw: str | bytes, successor_wanted: threading.Event
    ) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            log.warning("Socket Mode: ignored a message that is not JSON: %.200r", raw)
            return
        kind = message.get("type")
        if kind == "hello":
            with self._lock:
                self._current = ws
            self._failures = 0
            log.info("Socket Mode: connected (%s)", (message.get("debug_info") or {}).get("host"))
        elif kind == "disconnect":
            # Slack recycles connections: open the next now, read this one a little longer.
            log.info("Socket Mode: Slack asks for a new connection (%s)", message.get("reason"))
            successor_wanted.set()
            closer = threading.Timer(self.refresh_grace, ws.close)
            closer.daemon = True
            closer.start()
        elif message.get("envelope_id"):
            self._pool.submit(self._handle, ws, message)

    # ---- envelopes -------------------------------------------------------------------------
    def _handle(self, ws: ClientConnection, envelope: dict[str, Any]) -> None:
        """Dispatch to Bolt; ack only a success, so a failed event comes again (retry_attempt)."""
        started = time.monotonic()
        headers: dict[str, str | list[str]] = {}
        if envelope.get("retry_attempt"):
            headers["x-slack-retry-num"] = str(envelope["retry_attempt"])
            headers["x-slack-retry-reason"] = str(envelope.get("retry_reason") or "")
        request = BoltRequest(
            body=envelope.get("payload") or {}, mode="socket_mode", headers=headers or None
        )
        response = self.app.dispatch(request)
        if response.status != 200:
            log.info(
                "Socket Mode: %s envelope not acked (status %s): Slack will send it again",
                envelope.get("type"),
                response.status,
            )
            return
        self._ack(ws, _ack_message(envelope["envelope_id"], response))
        log.debug("Socket Mode: acked in %.3fs", time.monotonic() - started)

    def _ack(self, ws: ClientConnection, message: dict[str, Any]) -> None:
        """On the connection the envelope came by, else the current one."""
        text = json.dumps(message)
        with self._lock:
            current = self._current
        for target in dict.fromkeys((ws, current)):
            if target is None:
                continue
            try:
                target.send(text)
                return
            except ConnectionClosed:
                continue
        log.warning("Socket Mode: no open connection for an ack; Slack will send it again")


def _ack_message(envelope_id: str, response: BoltResponse) -> dict[str, Any]:
    """`{"envelope_id"}` plus Bolt's answer (a view's errors, a command's reply) as payload."""
    message: dict[str, Any] = {"envelope_id": envelope_id}
    if response.body:
        content_type = (response.headers.get("content-type") or [""])[0]
        is_json = content_type.startswith("application/json")
        message["payload"] = json.loads(response.body) if is_json else {"text": response.body}
    return message
