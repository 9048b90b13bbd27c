"""Requests to /slack/events that Slack did not sign: refused early and quietly, nothing stored.

Each test speaks HTTP to the real app under waitress (configured as `serve` configures it),
some over a raw socket so a request can stop half-way, as an attacker's would.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlencode, urlparse

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from bot.models import Incident, ProcessedEvent
from bot.web import MAX_BODY_BYTES
from tests.support.harness import SIGNING_SECRET, SlackHarness

FORM = "application/x-www-form-urlencoded"
FIFTY_MB = 50 * 1024 * 1024


@pytest.fixture
def quiet_log(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Every record from every thread; afterwards, none may be an error or carry a traceback."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert loud == [], caplog.text
    assert "Traceback" not in caplog.text


def _exchange(slack: SlackHarness, request: bytes) -> tuple[int, bytes]:
    """Send `request` (perhaps only the start of one) and return the status and body of the
    answer, which must arrive within 10 s. What is sent is all read by the server before it
    answers, so its close is orderly (unread input would make it a reset, losing the answer)."""
    url = urlparse(slack.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    head, _, content = answer.partition(b"\r\n\r\n")
    return int(head.split()[1]), content


def _head(path: str, headers: dict[str, str]) -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _signed_headers(body: bytes, *, stamp: int | None = None) -> dict[str, str]:
    stamp_text = str(int(time.time()) if stamp is None else stamp)
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(
        timestamp=stamp_text, body=body.decode()
    )
    return {"X-Slack-Request-Timestamp": stamp_text, "X-Slack-Signature": str(signature)}


def _post(slack: SlackHarness, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    sent = {"Content-Type": FORM, "Content-Length": str(len(body)), **headers}
    return _exchange(slack, _head("/slack/events", sent) + body)


def _nothing_stored(slack: SlackHarness) -> None:
    with slack.deps.db.unit_of_work() as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == 0
        assert session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0
    time.sleep(0.3)  # work after an ack would have started by now
    assert [c.method for c in slack.fake.calls if c.method != "auth.test"] == []
    assert slack.fake.responses == []


def test_an_oversized_content_length_is_refused_before_the_body_is_sent(
    slack: SlackHarness, quiet_log: pytest.LogCaptureFixture
) -> None:
    headers = {"Content-Type": FORM, "Content-Length": str(FIFTY_MB), **_signed_headers(b"")}
    # Only eight bytes of the fifty megabytes follow: the answer can only come from the headers.
    status, _ = _exchange(slack, _head("/slack/events", headers) + b"command=")
    assert status == 413


def test_an_oversized_chunked_body_is_refused(
    slack: SlackHarness, quiet_log: pytest.LogCaptureFixture
) -> None:
    piece = b"a" * 65536
    chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    fifty_mb = chunk * (FIFTY_MB // len(piece)) + b"0\r\n\r\n"
    headers = {"Content-Type": FORM, "Transfer-Encoding": "chunked", **_signed_headers(b"")}
    # The first MAX_BODY_BYTES + 1 bytes of fifty megabytes: the answer must come then.
    start = _head("/slack/events", headers) + fifty_mb[: MAX_BODY_BYTES + 1]
    assert _exchange(slack, start)[0] == 413


def test_a_body_of_exactly_the_limit_is_read_and_judged_by_its_signature(
    slack: SlackHarness, quiet_log: pytest.LogCaptureFixture
) -> None:
    body = b"text=" + b"a" * (MAX_BODY_BYTES - 5)
    assert _post(slack, body, _signed_headers(b"something else"))[0] == 401


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": str(int(time.time()))},
        {"X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": "now", "X-Slack-Signature": "v0=" + "0" * 64},
    ],
    ids=["no-headers", "no-signature", "no-timestamp", "unsigned-bad-timestamp"],
)
def test_unsigned_garbage_is_refused_with_401(
    slack: SlackHarness, quiet_log: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    garbage = os.urandom(4096) + b"\xff\xfe"  # not even UTF-8
    status, _ = _post(slack, garbage, headers)
    assert status in ((400, 401) if "now" in headers.values() else (401,))
    _nothing_stored(slack)


@pytest.mark.parametrize("stamp", ["yesterday", "1e9", "1700000000.5", "0x6553f100", "-1"])
def test_a_non_numeric_timestamp_is_refused_with_400(
    slack: SlackHarness, quiet_log: pytest.LogCaptureFixture, stamp: str
) -> None:
    body = b"command=%2Fincident&text=declare+sev1+Forged"
    headers = {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": "v0=" + "0" * 64}
    assert _post(slack, body, headers)[0] == 400
    _nothing_stored(slack)


def test_garbage_with_fresh_headers_is_refused_with_401(
    slack: SlackHarness, quiet_log: pytest.LogCaptureFixture
) -> None:
    """Headers that pass every check before the body is read; the body is not UTF-8."""
    garbage = os.urandom(2048) + b"\xff"
    assert _post(slack, garbage, _signed_headers(b"something else"))[0] == 401
    odd_signature = {**_signed_headers(garbage[:0]), "X-Slack-Signature": "v0=é" + "0" * 62}
    assert _post(slack, b"text=x", odd_signature)[0] == 401
    _nothing_stored(slack)


def _declare(slack: SlackHarness) -> bytes:
    """A slash command that would store an incident if it were accepted."""
    fields = {
        "token": "fake-verification-token",
        "team_id": "T0TEST",
        "team_domain": "fake",
        "channel_id": slack.announce,
        "channel_name": "incidents",
        "user_id": "U1",
        "user_name": "u1",
        "command": "/incident",
        "text": "declare sev1 Forged outage",
        "api_app_id": "A0FAKEAPP1",
        "is_enterprise_install": "false",
        "response_url": slack.fake.response_url("commands-1"),
        "trigger_id": slack.fake.new_trigger_id(user="U1"),
    }
    return urlencode(fields).encode()


def _event(slack: SlackHarness) -> bytes:
    """An event that would be recorded (for de-duplication) if it were accepted."""
    body = {
        "type": "event_callback",
        "event_id": "Ev0FORGED",
        "team_id": "T0TEST",
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
    }
    return json.dumps(body).encode()


@pytest.mark.parametrize("make_body", [_declare, _event], ids=["command", "event"])
def test_stale_altered_and_wrongly_signed_requests_are_refused_and_nothing_is_stored(
    slack: SlackHarness,
    quiet_log: pytest.LogCaptureFixture,
    make_body: Callable[[SlackHarness], bytes],
) -> None:
    body = make_body(slack)
    slack.forget_replies()
    stale = _signed_headers(body, stamp=int(time.time()) - 6 * 60)
    assert _post(slack, body, stale)[0] == 401
    future = _signed_headers(body, stamp=int(time.time()) + 6 * 60)
    assert _post(slack, body, future)[0] == 401
    altered = body.replace(b"U1", b"U2")
    assert altered != body
    assert _post(slack, altered, _signed_headers(body))[0] == 401
    forged = SignatureVerifier("not-the-secret")
    stamp = str(int(time.time()))
    wrong = {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": str(forged.generate_signature(timestamp=stamp, body=body.decode())),
    }
    assert _post(slack, body, wrong)[0] == 401
    _nothing_stored(slack)


def test_a_correctly_signed_request_still_works(
    slack: SlackHarness, quiet_log: pytest.LogCaptureFixture
) -> None:
    body = _declare(slack)
    status, _ = _post(slack, body, _signed_headers(body))
    assert status == 200
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"))
    with slack.deps.db.unit_of_work() as session:
        assert session.scalars(select(Incident.title)).all() == ["Forged outage"]
    assert slack.command("help").status == 200  # help names the typist's zone: after the ack
    slack.fake.wait_for(lambda f: any("/incident declare" in t for t in slack.ephemerals()))
