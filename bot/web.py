"""The HTTP side of `serve`: /slack/events to Bolt, /healthz, /metrics and /status* beside it.

Every POST to /slack/events passes `slack_gate` first: its size and its signature are checked
before anything parses the body, so a request Slack did not sign costs a few header reads.
/metrics may move to a listener of its own (INCIDENT_METRICS_PORT) and may need a bearer token
(INCIDENT_METRICS_TOKEN).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import threading
from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.config import ConfigError
from bot.hooks import Hooks
from bot.stats.metrics import exposition
from bot.statuspage.http import StatusPage, not_found
from bot.wiring import Deps
from bot.wsgi import plain

log = logging.getLogger(__name__)

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
SLACK_PATH = "/slack/events"
# Slack documents no request size. Its largest bodies here are interactions carrying a whole
# message (a shortcut on a bot's alert: 40,000 characters of text plus 50 blocks of 3,000),
# percent-encoded at up to 3 bytes per character: ~600 KB in ASCII. 1 MiB keeps them all with
# room to spare, and bounds what one request may hold in memory.
MAX_BODY_BYTES = 1024 * 1024
# For waitress, which buffers a whole body before calling the app: it refuses a Content-Length
# of max_request_body_size or more at the headers, and stops reading a chunked body there.
SERVER_OPTIONS: dict[str, Any] = {"max_request_body_size": MAX_BODY_BYTES + 1}
_READ_SIZE = 64 * 1024
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # ASCII digits only: int() would take "1_0", " 10"
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")  # hmac.compare_digest fails on non-ASCII text
_MAX_AGE = 5 * 60  # Slack's replay window, as SignatureVerifier checks it


class _Refusal(Exception):
    def __init__(self, status: str, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def wsgi_app(app: App, deps: Deps, *, slack_events: bool = True) -> WsgiApp:
    """/slack/events (gated) to Bolt, unless Slack comes over Socket Mode; /healthz; /metrics
    unless it has a port of its own."""
    slack = None
    if slack_events:
        secret = deps.settings.SLACK_SIGNING_SECRET
        if not secret:
            raise ConfigError("SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request")
        slack = slack_gate(SlackRequestHandler(app, path=SLACK_PATH), secret)
    metrics = metrics_endpoint(deps) if deps.settings.metrics_listen is None else None
    hooks = Hooks(deps)  # /hooks/*: alerts from Alertmanager, Grafana, PagerDuty, any webhook
    status_page = StatusPage(deps) if deps.settings.INCIDENT_STATUS_PAGE else not_found

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        is_get = environ.get("REQUEST_METHOD") == "GET"
        if path == "/healthz" and is_get:
            ok = deps.db.ping()
            status = "200 OK" if ok else "503 Service Unavailable"
            return plain(start_response, status, b"ok\n" if ok else b"database unavailable\n")
        if path == "/metrics" and is_get and metrics is not None:
            return metrics(environ, start_response)
        if path.startswith("/hooks/"):
            return hooks(environ, start_response)
        if path == "/status" or path.startswith("/status/"):
            return status_page(environ, start_response)  # public (bot.statuspage)
        if slack is None:  # Socket Mode: Slack's requests come over the WebSocket
            return plain(start_response, "404 Not Found", b"not found\n")
        return slack(environ, start_response)

    return application


def slack_gate(inner: WsgiApp, signing_secret: str) -> WsgiApp:
    """Hand POSTs to /slack/events on only when Slack signed them, with the body already read
    (at most MAX_BODY_BYTES); refuse the rest with 413, 400 or 401."""
    verifier = SignatureVerifier(signing_secret)

    def gate(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != SLACK_PATH or environ.get("REQUEST_METHOD") != "POST":
            return inner(environ, start_response)
        try:
            body = _signed_body(environ, verifier)
        except _Refusal as refusal:
            log.info(
                "refused a request to %s from %s: %s",
                SLACK_PATH,
                environ.get("REMOTE_ADDR", "?"),
                refusal.reason,
            )
            return plain(start_response, refusal.status, refusal.reason.encode() + b"\n")
        environ = {**environ, "wsgi.input": BytesIO(body), "CONTENT_LENGTH": str(len(body))}
        return inner(environ, start_response)

    return gate


def _signed_body(environ: dict[str, Any], verifier: SignatureVerifier) -> bytes:
    """The body, read only once the headers could belong to a request Slack signed."""
    length = environ.get("CONTENT_LENGTH") or None
    if length is not None and not length.isdigit():
        raise _Refusal("400 Bad Request", "Content-Length is not a number")
    if length is not None and int(length) > MAX_BODY_BYTES:
        raise _Refusal("413 Request Entity Too Large", f"body over {MAX_BODY_BYTES} bytes")
    stamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP") or None
    signature = environ.get("HTTP_X_SLACK_SIGNATURE") or None
    if stamp is None or signature is None:
        raise _Refusal("401 Unauthorized", "not signed")
    if not _TIMESTAMP.fullmatch(stamp):
        raise _Refusal("400 Bad Request", "X-Slack-Request-Timestamp is not a Unix time")
    if abs(verifier.clock.now() - int(stamp)) > _MAX_AGE:
        raise _Refusal("401 Unauthorized", "timestamp older than five minutes (or ahead)")
    if not _SIGNATURE.fullmatch(signature):
        raise _Refusal("401 Unauthorized", "invalid signature")
    body = _read_body(environ, None if length is None else int(length))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal("401 Unauthorized", "invalid signature") from None  # Slack sends UTF-8
    if not verifier.is_valid(body=text, timestamp=stamp, signature=signature):
        raise _Refusal("401 Unauthorized", "invalid signature")
    return body


def _read_body(environ: dict[str, Any], length: int | None) -> bytes:
    """`length` bytes; with no Content-Length, at most MAX_BODY_BYTES + 1 to tell it is over."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length is not None:
        return bytes(stream.read(length))
    if not environ.get("wsgi.input_terminated"):
        return b""  # PEP 3333: without a length, only a terminated stream may be read
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BODY_BYTES:
        chunk = stream.read(min(_READ_SIZE, MAX_BODY_BYTES + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_BODY_BYTES:
        raise _Refusal("413 Request Entity Too Large", f"body over {MAX_BODY_BYTES} bytes")
    return b"".join(chunks)


def metrics_endpoint(deps: Deps) -> WsgiApp:
    """GET /metrics, behind `Authorization: Bearer $INCIDENT_METRICS_TOKEN` when it is set."""
    token = deps.settings.INCIDENT_METRICS_TOKEN
    expected = hashlib.sha256(token.encode()).digest() if token else None

    def endpoint(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if expected is not None:
            scheme, _, credentials = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
            given = hashlib.sha256(credentials.strip().encode("latin-1", "replace")).digest()
            # Digests of equal length: the comparison takes the same time whatever was sent.
            if not (hmac.compare_digest(given, expected) and scheme.lower() == "bearer"):
                challenge = [("WWW-Authenticate", 'Bearer realm="metrics"')]
                refusal = b"bearer token needed\n"
                return plain(start_response, "401 Unauthorized", refusal, challenge)
        body, content_type = exposition(deps)
        start_response("200 OK", [("Content-Type", content_type)])
        return [body]

    return endpoint


def metrics_only_app(deps: Deps) -> WsgiApp:
    """The separate /metrics listener: GET /metrics, and 404 for everything else."""
    metrics = metrics_endpoint(deps)

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            return metrics(environ, start_response)
        return plain(start_response, "404 Not Found", b"Not Found\n")

    return application


def start_metrics_listener(deps: Deps) -> Callable[[], None]:
    """Serve /metrics on INCIDENT_METRICS_PORT (if set) in a background thread; returns `stop`."""
    listen = deps.settings.metrics_listen
    if listen is None:
        return lambda: None
    host, port = listen
    try:
        server = create_server(
            metrics_only_app(deps),
            host=host,
            port=port,
            threads=2,
            ident="incident-bot",
            asyncore_use_poll=True,  # close() from another thread ends the loop quietly
            **SERVER_OPTIONS,
        )
    except OSError as exc:
        raise ConfigError(f"INCIDENT_METRICS_PORT: cannot listen on {host}:{port}: {exc}") from None
    thread = threading.Thread(target=server.run, name="metrics-listener", daemon=True)
    thread.start()
    log.info("serving /metrics on %s:%s", host, port)

    def stop() -> None:
        server.close()
        thread.join(timeout=5)

    return stop
