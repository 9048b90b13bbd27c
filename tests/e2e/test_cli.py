"""The command line as an operator uses it: real processes, real databases, fake Slack."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from bot.db import Database
from tests.support.fakeslack import FakeSlack
from tests.support.harness import SIGNING_SECRET
from tests.support.slackdriver import SlackDriver
from tests.support.socketdriver import SocketDriver

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    """A clean environment: nothing from the developer's shell but PATH."""
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT)}
    env.update(extra)
    return env


def _run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({}, "SLACK_BOT_TOKEN is not set"),
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET is not set"),
        ({"SLACK_BOT_TOKEN": "nope"}, "SLACK_BOT_TOKEN is malformed: must be a bot token"),
        ({"INCIDENT_TIMEZONE": "Mars/Olympus"}, "INCIDENT_TIMEZONE is malformed"),
        ({"INCIDENT_DIGEST_SCHEDULE": "someday"}, "INCIDENT_DIGEST_SCHEDULE is malformed"),
        ({"INCIDENT_REDACT": "emails"}, "INCIDENT_REDACT is malformed"),
        ({"PORT": "http"}, "PORT is malformed"),
        ({"INCIDENT_NUDGE_SEV1": "soon"}, "INCIDENT_NUDGE_SEV1 is malformed"),
        ({"INCIDENT_METRICS_PORT": "nine"}, "INCIDENT_METRICS_PORT is malformed: 'nine' is not"),
        ({"INCIDENT_METRICS_PORT": "0.0.0.0:70000"}, "INCIDENT_METRICS_PORT is malformed"),
        ({"INCIDENT_METRICS_PORT": ""}, "INCIDENT_METRICS_PORT is malformed"),
        ({"INCIDENT_METRICS_TOKEN": "short"}, "INCIDENT_METRICS_TOKEN is malformed: must be at"),
        ({"INCIDENT_METRICS_TOKEN": ""}, "INCIDENT_METRICS_TOKEN is malformed"),
        (
            {
                "SLACK_BOT_TOKEN": "xoxb-1",
                "SLACK_SIGNING_SECRET": "s",
                "PORT": "9100",
                "INCIDENT_METRICS_PORT": "9100",
            },
            "INCIDENT_METRICS_PORT is the HTTP port 9100",
        ),
    ],
)
def test_bad_configuration_stops_serve_with_one_line(
    tmp_path: Path, env: dict[str, str], needle: str
) -> None:
    result = _run(["serve"], tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/x.db", **env)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0], result.stderr
    assert not (tmp_path / "x.db").exists(), "nothing started half-configured"


def test_dotenv_in_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("INCIDENT_TIMEZONE=Nowhere/Land\n")
    result = _run(["migrate"], tmp_path)
    assert "INCIDENT_TIMEZONE is malformed" in result.stderr


def _wait_http(url: str, timeout: float = 30) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return bytes(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_migrates_serves_and_answers_signed_requests(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = _free_port()
    url = db.engine.url.render_as_string(hide_password=False)
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/serve.db"  # a fresh file: serve must create the schema
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=_env(
            SLACK_BOT_TOKEN=fake_slack.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.api_url,
            DATABASE_URL=url,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert _wait_http(f"http://127.0.0.1:{port}/healthz") == b"ok\n"
        metrics = _wait_http(f"http://127.0.0.1:{port}/metrics").decode()
        assert "incident_bot_open_incidents" in metrics
        driver = SlackDriver(
            app_url=f"http://127.0.0.1:{port}/slack/events",
            signing_secret=SIGNING_SECRET,
            fake=fake_slack,
        )
        assert driver.command("/incident", "help").status == 200
        fake_slack.wait_for(
            lambda f: any("/incident declare" in b.get("text", "") for _id, b in f.responses),
            timeout=20,
        )
        assert driver.command("/incident", "help", secret="forged").status == 401
        driver.command("/incident", "declare sev2 From a real process")
        fake_slack.wait_for(lambda f: f.calls_to("pins.add"), timeout=20)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    assert "xoxb-" not in output, "the bot token must never reach the logs"
    assert SIGNING_SECRET not in output


def test_serve_in_socket_mode_answers_over_the_socket_and_health_on_port(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    port = _free_port()
    url = db.engine.url.render_as_string(hide_password=False)
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/serve.db"
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=_env(  # no signing secret: Socket Mode needs none
            SLACK_BOT_TOKEN=fake_slack.bot_token,
            SLACK_APP_TOKEN=fake_slack.app_token,
            SLACK_API_URL=fake_slack.api_url,
            DATABASE_URL=url,
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        fake_slack.wait_for(lambda f: f.calls_to("apps.connections.open"), timeout=30)
        fake_slack.socket_mode.wait_for_connection(1, timeout=10)
        driver = SocketDriver(fake_slack)
        refused = driver.command("/incident", "frobnicate")  # answered in the ack
        assert refused.status == 200 and "is not an /incident subcommand" in refused.json()["text"]
        assert driver.command("/incident", "declare sev2 Over the socket").status == 200
        fake_slack.wait_for(lambda f: f.calls_to("pins.add"), timeout=20)
        assert _wait_http(f"http://127.0.0.1:{port}/healthz") == b"ok\n"
        assert (
            "incident_bot_open_incidents" in _wait_http(f"http://127.0.0.1:{port}/metrics").decode()
        )
        unused = SlackDriver(f"http://127.0.0.1:{port}/slack/events", SIGNING_SECRET)
        assert unused.command("/incident", "help").status == 404
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    assert fake_slack.app_token not in output and fake_slack.bot_token not in output
    fake_slack.assert_no_violations()


def _status(url: str, head: bytes = b"") -> int:
    """GET `url`, or with `head` send those raw bytes to its host instead; the status."""
    if head:
        host, port = url.split("//")[1].split("/")[0].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(head)
            return int(sock.recv(4096).split()[1])
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def test_serve_with_a_metrics_port_and_the_request_limit(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    """/metrics only on its own port (127.0.0.1 by default); an oversized body refused unread."""
    port, metrics_port = _free_port(), _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env=_env(
            SLACK_BOT_TOKEN=fake_slack.bot_token,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=fake_slack.api_url,
            DATABASE_URL=f"sqlite:///{tmp_path}/serve.db",
            INCIDENT_METRICS_PORT=str(metrics_port),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    public, private = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{metrics_port}"
    try:
        assert _wait_http(f"{public}/healthz") == b"ok\n"
        assert "incident_bot_open_incidents" in _wait_http(f"{private}/metrics").decode()
        assert _status(f"{public}/metrics") == 404
        assert _status(f"{private}/healthz") == 404
        assert _status(f"{private}/slack/events") == 404
        fifty_mb = (
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 52428800\r\n"
            b"Content-Type: application/x-www-form-urlencoded\r\n\r\ncommand="
        )
        assert _status(public, head=fifty_mb) == 413
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    assert f"serving /metrics on 127.0.0.1:{metrics_port}" in output
    assert "Traceback" not in output


def test_migrate_and_export(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/export.db"
    assert _run(["migrate"], tmp_path, DATABASE_URL=url).returncode == 0
    from datetime import UTC, datetime

    from bot.incidents import lifecycle as incidents

    db = Database(url)
    with db.unit_of_work() as session:
        incident = incidents.declare(
            session,
            now=datetime(2026, 11, 20, 10, tzinfo=UTC),
            number=incidents.claim_number(session),
            title="=cmd|' /C calc'!A0",
            severity="sev2",
            private=False,
            channel_id="C1",
            channel_name="inc-1-x",
            declared_by="U1",
        )
        incidents.set_milestone(
            session,
            incident,
            now=datetime(2026, 11, 20, 11, tzinfo=UTC),
            user="U1",
            name="resolved",
            at=datetime(2026, 11, 20, 11, tzinfo=UTC),
        )
    db.dispose()
    data = json.loads(
        _run(["export", "all", "--format", "json"], tmp_path, DATABASE_URL=url).stdout
    )
    assert data[0]["number"] == 1 and data[0]["time_to_resolve"] == 3600
    assert data[0]["declared_at"] == "2026-11-20T10:00:00Z"
    assert {"id", "at", "kind", "text", "author"} <= set(data[0]["timeline"][0])
    one = json.loads(_run(["export", "1"], tmp_path, DATABASE_URL=url).stdout)
    assert one["title"] == data[0]["title"]
    csv_out = _run(["export", "all", "--format", "csv"], tmp_path, DATABASE_URL=url).stdout
    assert csv_out.splitlines()[1].startswith("1,'=cmd")
    none = _run(
        ["export", "all", "--format", "json", "--since", "2026-11-21"], tmp_path, DATABASE_URL=url
    )
    assert json.loads(none.stdout) == []
    md = _run(["export", "1", "--format", "md"], tmp_path, DATABASE_URL=url).stdout
    assert md.startswith("#") and "3600" not in md.splitlines()[0]
    missing = _run(["export", "7"], tmp_path, DATABASE_URL=url)
    assert missing.returncode == 1 and "There is no incident 7." in missing.stderr
    bad = _run(["export", "seven"], tmp_path, DATABASE_URL=url)
    assert bad.returncode == 1 and "not an incident number" in bad.stderr
