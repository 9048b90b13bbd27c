"""The gate in front of Bolt, at its WSGI boundary, as any WSGI server would call it.

waitress (what `serve` runs) buffers each body and refuses oversized ones itself; other servers
(gunicorn, uWSGI) stream the input, and a chunked request then has no Content-Length. These
tests hand the gate such a stream and count what it reads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from io import BytesIO
from typing import Any

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.web import MAX_BODY_BYTES, SLACK_PATH, slack_gate

SECRET = "gate-test-secret"
FIFTY_MB = 50 * 1024 * 1024


class Stream:
    """A request body arriving from a client: `size` bytes, of which it counts those read."""

    def __init__(self, body: bytes = b"", size: int | None = None) -> None:
        self.body = body
        self.size = len(body) if size is None else size
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n < 0 else min(n, left)
        start = self.read_bytes
        self.read_bytes += n
        if self.body:
            return self.body[start : start + n]
        return b"a" * n


class Behind:
    """What stands behind the gate (Bolt in production): records what reached it."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.lengths: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        self.bodies.append(environ["wsgi.input"].read())
        self.lengths.append(environ["CONTENT_LENGTH"])
        start_response("200 OK", [])
        return [b""]


def _signed(body: bytes, stamp: int | None = None) -> dict[str, str]:
    text = str(int(time.time()) if stamp is None else stamp)
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=text, body=body.decode())
    return {"HTTP_X_SLACK_REQUEST_TIMESTAMP": text, "HTTP_X_SLACK_SIGNATURE": str(signature)}


def _call(
    stream: Stream, headers: dict[str, str], length: str | None = None, terminated: bool = True
) -> tuple[str, Behind]:
    behind = Behind()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": SLACK_PATH,
        "wsgi.input": stream,
        "wsgi.input_terminated": terminated,
        **headers,
    }
    if length is not None:
        environ["CONTENT_LENGTH"] = length
    answered: list[str] = []

    def start_response(status: str, _headers: Iterable[tuple[str, str]]) -> None:
        answered.append(status)

    b"".join(slack_gate(behind, SECRET)(environ, start_response))
    return answered[0], behind


def test_a_stream_of_unknown_length_is_read_only_one_byte_past_the_limit() -> None:
    stream = Stream(size=FIFTY_MB)
    status, behind = _call(stream, _signed(b"anything"))
    assert status.startswith("413")
    assert stream.read_bytes == MAX_BODY_BYTES + 1
    assert behind.bodies == []


def test_a_signed_body_of_unknown_length_reaches_bolt_whole_with_its_length() -> None:
    body = b"command=%2Fincident&text=help"
    status, behind = _call(Stream(body), _signed(body))
    assert status == "200 OK"
    assert behind.bodies == [body] and behind.lengths == [str(len(body))]


def test_a_signed_body_of_known_length_reaches_bolt_whole() -> None:
    body = "text=déclaré".encode()
    status, behind = _call(Stream(body), _signed(body), length=str(len(body)))
    assert status == "200 OK" and behind.bodies == [body]


@pytest.mark.parametrize(
    ("headers", "length", "status"),
    [
        ({}, str(FIFTY_MB), "413"),  # oversized: refused on its Content-Length alone
        ({}, "12", "401"),  # unsigned
        ({"HTTP_X_SLACK_REQUEST_TIMESTAMP": "12.5", "HTTP_X_SLACK_SIGNATURE": "v0=1"}, "9", "400"),
        (_signed(b"x", stamp=int(time.time()) - 301), "12", "401"),  # stale
        ({**_signed(b"x"), "HTTP_X_SLACK_SIGNATURE": "v1=abc"}, "12", "401"),  # not v0
        ({}, "12x", "400"),
    ],
    ids=["oversized", "unsigned", "bad-timestamp", "stale", "malformed-signature", "bad-length"],
)
def test_requests_whose_headers_fail_are_refused_without_reading_the_body(
    headers: dict[str, str], length: str, status: str
) -> None:
    stream = Stream(size=FIFTY_MB)
    answered, behind = _call(stream, headers, length=length)
    assert answered.startswith(status)
    assert stream.read_bytes == 0 and behind.bodies == []


def test_a_stream_without_length_that_the_server_does_not_terminate_is_not_read() -> None:
    """PEP 3333: reading it could block for ever; Slack always sends Content-Length."""
    stream = Stream(size=FIFTY_MB)
    status, behind = _call(stream, _signed(b"text=help"), terminated=False)
    assert status.startswith("401") and stream.read_bytes == 0 and behind.bodies == []


def test_other_paths_and_methods_pass_through_untouched() -> None:
    behind = Behind()
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/elsewhere", "wsgi.input": BytesIO(b"")}
    environ["CONTENT_LENGTH"] = "0"
    slack_gate(behind, SECRET)(environ, lambda status, headers: None)
    assert behind.bodies == [b""]


def test_an_altered_or_wrongly_signed_body_does_not_reach_bolt() -> None:
    body = b"command=%2Fincident&text=declare+sev1+Outage"
    forged = SignatureVerifier("another-secret")
    stamp = str(int(time.time()))
    wrong = {
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": stamp,
        "HTTP_X_SLACK_SIGNATURE": str(forged.generate_signature(timestamp=stamp, body=body)),
    }
    altered = body.replace(b"sev1", b"sev2")
    for sent, headers in ((altered, _signed(body)), (body, wrong)):
        status, behind = _call(Stream(sent), headers, length=str(len(sent)))
        assert status.startswith("401") and behind.bodies == []
