"""A real Prometheus Alertmanager (Debian's prometheus-alertmanager) notifying the running bot.

Alerts are pushed into Alertmanager over its API (/api/v2/alerts); the bot receives
Alertmanager's own webhook notifications (bearer credentials configured), groups them by its
groupKey and follows their resolution. Skipped only when the binary is missing outside CI.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import Alert, AlertGroup
from tests.support.alerts import TOKEN, start_alerting, triage_posts

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
IN_CI = os.environ.get("CI") == "1" or os.environ.get("INCIDENT_REQUIRE_PG") == "1"
CONFIG = """\
route:
  receiver: incident-bot
  group_by: [alertname, service]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: incident-bot
    webhook_configs:
      - url: {url}/hooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: {token}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _alertmanager(bot_url: str, tmp_path: Path) -> Iterator[str]:
    if BINARY is None:
        reason = (
            "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)"
        )
        if IN_CI:
            pytest.fail(f"{reason}; CI must run the real-Alertmanager test")
        pytest.skip(reason)
    (tmp_path / "alertmanager.yml").write_text(CONFIG.format(url=bot_url, token=TOKEN))
    port = _free_port()
    with open(tmp_path / "alertmanager.log", "w") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            [
                BINARY,
                f"--config.file={tmp_path / 'alertmanager.yml'}",
                f"--storage.path={tmp_path / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",  # one instance, no gossip port
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    api = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{api}/-/ready", timeout=2) as ready:
                if ready.status == 200:
                    break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError((tmp_path / "alertmanager.log").read_text()) from None
            time.sleep(0.1)
    try:
        yield api
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def bot(make_slack: Any, fake_slack: Any) -> tuple[Any, str]:
    slack, _sender, channel = start_alerting(make_slack, fake_slack)
    return slack, channel


@pytest.fixture
def alertmanager(bot: tuple[Any, str], tmp_path: Path) -> Iterator[str]:
    yield from _alertmanager(bot[0].url, tmp_path)


def _push(api: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        f"{api}/api/v2/alerts",
        json.dumps(alerts).encode(),
        {"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 200


def _alert(name: str, instance: str, start: datetime, end: datetime | None = None) -> dict:
    alert: dict[str, Any] = {
        "labels": {"alertname": name, "service": "checkout", "instance": instance},
        "annotations": {"summary": f"{name} on checkout"},
        "startsAt": start.isoformat(),
        "generatorURL": f"http://prometheus.example:9090/graph?g0.expr={name}",
    }
    if end is not None:
        alert["endsAt"] = end.isoformat()
    return alert


def _groups(slack: Any) -> dict[str, list[str]]:
    with slack.deps.db.unit_of_work() as session:
        return {
            g.group_key: sorted(
                a.status for a in session.scalars(select(Alert).where(Alert.group_id == g.id))
            )
            for g in session.scalars(select(AlertGroup))
        }


def test_alertmanager_notifies_the_bot_which_groups_and_follows_resolution(
    bot: tuple[Any, str], alertmanager: str
) -> None:
    slack, channel = bot
    start = datetime.now(UTC) - timedelta(minutes=1)
    _push(
        alertmanager,
        [
            _alert("HighLatency", "web-1", start),
            _alert("HighLatency", "web-2", start),
            _alert("DiskFull", "db-1", start),
        ],
    )
    latency = '{}:{alertname="HighLatency", service="checkout"}'
    disk = '{}:{alertname="DiskFull", service="checkout"}'
    slack.fake.wait_for(
        lambda f: _groups(slack) == {latency: ["firing", "firing"], disk: ["firing"]},
        timeout=30,
        what="both groups, keyed by Alertmanager's groupKey",
    )
    slack.fake.wait_for(lambda f: len(triage_posts(f, channel)) == 2, timeout=30)
    # Resolving in Alertmanager: it sends the group's resolved notification itself.
    now = datetime.now(UTC)
    _push(
        alertmanager,
        [_alert("HighLatency", "web-1", start, now), _alert("HighLatency", "web-2", start, now)],
    )
    slack.fake.wait_for(lambda f: _groups(slack)[latency] == ["resolved", "resolved"], timeout=30)

    def resolved_shown(f: Any) -> bool:
        return any(
            f.channels[channel].find(p.response["ts"])["text"].startswith("RESOLVED: HighLatency")
            for p in triage_posts(f, channel)
        )

    slack.fake.wait_for(resolved_shown, timeout=30, what="the triage message edited to RESOLVED")
    assert len(triage_posts(slack.fake, channel)) == 2, "edited in place, not posted again"
    assert _groups(slack)[disk] == ["firing"]
    slack.fake.assert_no_violations()
