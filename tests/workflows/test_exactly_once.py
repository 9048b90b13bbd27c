"""Each workflow runs once per trigger occurrence with two `serve` processes on one database
(real processes, as replicas behind a load balancer): the same Alertmanager notification is
delivered to both (a retry that lands on the other replica), one incident is declared, its
`declared` workflow and its `alert` workflow each run once, every step once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.db import Database
from bot.incidents import guided
from bot.models import Incident, Outbox, WorkflowRun
from bot.outbox import store
from tests.support.alerts import TOKEN, AlertSender, am_alert, am_payload
from tests.support.fakeslack import FakeSlack
from tests.support.guided import start
from tests.support.harness import SIGNING_SECRET

ROOT = Path(__file__).resolve().parents[2]
CONFIG = """\
incident_types:
  database: {}
workflows:
  db-declared:
    trigger: declared
    when: {type: database}
    steps:
      - invite: {groups: [S0DBA]}
      - post: {text: "DBAs paged for incident {{ incident.number }}"}
      - bookmark: {title: Runbook, url: "https://runbooks.example.com/db"}
      - checklist: {title: First steps, tasks: [Check lag, Freeze deploys]}
  db-alert:
    trigger: alert
    when: {labels: {service: db}}
    steps:
      - post: {text: "alert on incident {{ incident.number }}"}
alerts:
  rules:
    - name: db pages
      match: {labels: {severity: critical}}
      declare: {severity: sev1, type: database}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(db: Database, fake: FakeSlack, config: Path, workdir: Path) -> tuple[Any, str]:
    port = _free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": db.url,
        "INCIDENT_CONFIG": str(config),
        "INCIDENT_WEBHOOK_TOKEN": TOKEN,
        "INCIDENT_REMINDER_SWEEP": "1s",
        "INCIDENT_NUDGE_SEV1": "off",
        "INCIDENT_NUDGE_UNOWNED": "off",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):
                return process, base
        except OSError:
            assert time.monotonic() < deadline, "serve did not start"
            time.sleep(0.1)


def _count(fake: FakeSlack, method: str, needle: str) -> int:
    return sum(1 for c in fake.calls_to(method) if c.ok and needle in str(c.args))


def test_two_serve_processes_run_each_workflow_once(
    db: Database, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake = fake_slack
    fake.add_usergroup("S0DBA", ["U2", "U3"])
    config = tmp_path / "incident-bot.yml"
    config.write_text(CONFIG)
    servers = [_serve(db, fake, config, tmp_path) for _ in range(2)]
    try:
        at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        alert = am_alert("DiskFull", at=at, service="db", severity="critical")
        payload = am_payload("DiskFull", [alert], service="db", severity="critical")
        # The same notification reaches both replicas at once (Alertmanager retried it).
        sent = [
            threading.Thread(target=AlertSender(base).alertmanager, args=(payload,))
            for _process, base in servers
        ]
        for thread in sent:
            thread.start()
        for thread in sent:
            thread.join(timeout=30)
        fake.wait_for(lambda f: _count(f, "chat.postMessage", "alert on incident 1"), timeout=60)
        fake.wait_for(lambda f: _count(f, "chat.postMessage", "DBAs paged"), timeout=60)
        fake.wait_for(lambda f: _count(f, "chat.postMessage", "First steps"), timeout=60)
        time.sleep(3)  # more sweeps by both processes: nothing more may go out
    finally:
        for process, _base in servers:
            process.send_signal(signal.SIGTERM)
        for process, _base in servers:
            process.wait(timeout=30)
    with db.unit_of_work() as session:
        incidents = session.scalars(select(Incident)).all()
        runs = Counter((r.workflow, r.occurrence[:6]) for r in session.scalars(select(WorkflowRun)))
    assert len(incidents) == 1
    assert runs == Counter({("db-declared", "declar"): 1, ("db-alert", "entry:"): 1})
    assert _count(fake, "chat.postMessage", "DBAs paged for incident 1") == 1
    assert _count(fake, "chat.postMessage", "alert on incident 1") == 1
    assert _count(fake, "chat.postMessage", "First steps") == 1
    assert _count(fake, "bookmarks.add", "Runbook") == 1
    assert len(fake.calls_to("usergroups.users.list")) == 1
    invited = [c.args["users"] for c in fake.calls_to("conversations.invite") if c.ok]
    assert sum("U3" in users for users in invited) == 1


ONE_POST = """\
workflows:
  page:
    trigger: declared
    steps:
      - post: {text: "paged for incident {{ incident.number }}"}
"""


def test_the_same_occurrence_twice_runs_the_workflow_once(make_slack: Any, tmp_path: Path) -> None:
    """However a trigger occurrence comes twice (a replica finishing a declaration whose claim
    went stale, a redelivered row), the workflow_runs key lets it run once."""
    slack = start(make_slack, tmp_path, ONE_POST)
    channel = slack.declare("Primary down")
    slack.fake.wait_for(lambda f: "paged for incident 1" in slack.posts(channel), timeout=15)
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        now = slack.clock()
        guided.record_trigger(session, incident, "declared", "declared", now)  # same key
        first = session.scalars(select(Outbox).where(Outbox.kind == "workflow")).one()
        again = store.row("workflow", "trigger:again", first.channel, first.payload, now)
        store.enqueue(session, [again])
    assert slack.deps.delivery is not None
    slack.deps.delivery.kick(first.channel)
    slack.fake.wait_for(lambda f: _sent(slack, "trigger:again"), what="the second row handled")
    slack.idle()
    assert sum("paged for incident 1" in p for p in slack.posts(channel)) == 1
    with slack.deps.db.unit_of_work() as session:
        assert len(session.scalars(select(WorkflowRun)).all()) == 1
        row = session.scalars(select(Outbox).where(Outbox.dedupe_key == "trigger:again")).one()
    assert row.last_error is None and not row.failed


def _sent(slack: Any, key: str) -> bool:
    with slack.deps.db.unit_of_work() as session:
        row = session.scalars(select(Outbox).where(Outbox.dedupe_key == key)).one()
        return row.sent_at is not None or row.attempts > 0
