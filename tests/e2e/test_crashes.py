"""kill -9 at random points: a real `serve` (HTTP, in-process scheduler, delivery worker)
declares incidents, publishes postmortems and sweeps reminders while Slack takes a second to
answer every call, and is killed with SIGKILL at a random moment, again and again. After a
last restart has settled: every recorded incident has exactly one channel, one pinned card and
one announcement; no unarchived incident channel lacks an incident; no reminder went twice.

CI's default run makes 5 trials; `pytest -m slow` makes 20 (the issue's acceptance run).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.clock import utcnow
from bot.db import Database
from bot.models import Incident, Outbox
from tests.support.fakeslack import FakeSlack
from tests.support.harness import SIGNING_SECRET
from tests.support.scheduling import add_item, dms, open_incident, people
from tests.support.slackdriver import SlackDriver

ROOT = Path(__file__).resolve().parents[2]
SLOW = 1.0  # seconds Slack takes to answer every call
SEEDED = 100  # the incident that exists before the trials (reminders, postmortems)


def _free_port() -> int:
    import socket  # only this helper needs it

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Serve:
    """`incident-bot serve` as an operator runs it, against the fake Slack."""

    def __init__(self, url: str, fake: FakeSlack, announce: str, workdir: Path) -> None:
        self.env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(ROOT),
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": url,
            "INCIDENT_ANNOUNCE_CHANNEL": announce,
            "INCIDENT_REMINDER_SWEEP": "1s",
            "INCIDENT_REMINDER_CLAIM_TIMEOUT": "30s",
            "INCIDENT_NUDGE_SEV1": "off",
            "INCIDENT_NUDGE_SEV2": "off",
            "INCIDENT_NUDGE_UNOWNED": "off",
        }
        self.fake, self.workdir = fake, workdir
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> SlackDriver:
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            cwd=self.workdir,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    break
            except OSError:
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        url = f"http://127.0.0.1:{self.port}/slack/events"
        return SlackDriver(app_url=url, signing_secret=SIGNING_SECRET, fake=self.fake)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def _unsettled(db: Database) -> list[str]:
    """What is not done yet: unsent outbox rows and incidents without a channel."""
    with db.unit_of_work() as session:
        pending = session.scalars(
            select(Outbox).where(Outbox.sent_at.is_(None), Outbox.failed.is_(False))
        ).all()
        unopened = session.scalars(select(Incident).where(Incident.channel_id.is_(None))).all()
    rows = [
        f"{r.dedupe_key} {r.attempts} {r.last_error} {r.claimed_by} {r.due_at}" for r in pending
    ]
    return rows + [f"incident {i.number} has no channel" for i in unopened]


@pytest.mark.parametrize(
    "trials",
    [
        pytest.param(5, marks=pytest.mark.timeout(600)),
        pytest.param(20, marks=[pytest.mark.slow, pytest.mark.timeout(1800)]),
    ],
)
def test_killed_at_random_points_everything_happens_once(
    db: Database, fake: FakeSlack, tmp_path: Path, trials: int
) -> None:
    seed = int(os.environ.get("INCIDENT_CRASH_SEED", random.randrange(1 << 30)))
    rand = random.Random(seed)
    people(fake)
    announce = fake.add_channel("incidents", members=["UBOT"])
    url = db.engine.url.render_as_string(hide_password=False)
    if url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path}/crash.db"
        db = Database(url)
    serve = Serve(url, fake, announce, tmp_path)
    driver = serve.start()  # migrates a fresh SQLite file
    now = utcnow()
    seeded = open_incident(db, fake, now - timedelta(days=9), number=SEEDED, severity="sev3")
    for n in range(3 * trials):
        due = now.date() - timedelta(days=3)
        add_item(db, seeded, now=now - timedelta(days=9), owner=f"U{n % 3 + 1}", due=due)
    fake.slow("*", SLOW)
    try:
        for trial in range(trials):
            driver.command("/incident", f"declare sev2 Crash trial {trial}", user="U1")
            if trial % 2:
                driver.command("/incident", "postmortem", user="U1", channel=seeded.channel_id)
            time.sleep(rand.uniform(0.0, 5.0))
            serve.kill()
            driver = serve.start()
        deadline = time.monotonic() + 180
        while left := _unsettled(db):
            assert time.monotonic() < deadline, f"not settled (seed {seed}): {left}"
            time.sleep(0.5)
        time.sleep(3 * SLOW)  # anything still in flight lands
    finally:
        serve.stop()
        fake.slow("*", 0)
    _check(db, fake, announce, seed)


def _rows(db: Database, incident: int) -> list[str]:
    with db.unit_of_work() as session:
        rows = session.scalars(
            select(Outbox).where(Outbox.payload["incident"].as_integer() == incident)
        )
        return [f"{r.id} {r.dedupe_key} {r.attempts} {r.last_error} {r.payload}" for r in rows]


def _check(db: Database, fake: FakeSlack, announce: str, seed: int) -> None:
    why = f"(seed {seed}: INCIDENT_CRASH_SEED={seed} repeats this run)"
    with db.unit_of_work() as session:
        incidents = session.scalars(select(Incident).where(Incident.number != SEEDED)).all()
        reminders = session.scalars(select(Outbox).where(Outbox.kind == "reminder")).all()
    assert incidents, why
    with fake.lock:
        channels = {c.id: c for c in fake.channels.values() if c.name.startswith("inc-")}
        announced = [
            m["text"] for m in fake.channels[announce].messages if "declared by" in m["text"]
        ]
        for incident in incidents:
            ours = [c for c in channels.values() if c.name.startswith(f"inc-{incident.number}-")]
            assert [c.id for c in ours] == [incident.channel_id], f"one channel {why}"
            channel = channels[incident.channel_id or ""]
            cards = [
                m
                for m in channel.messages
                if m.get("bot_id")
                and "Incident" in str(m.get("blocks"))
                and m["text"].startswith(f"Incident {incident.number} (")
            ]
            seen = [(m["ts"], m.get("metadata")) for m in cards]
            assert len(cards) == 1, f"one card {why}: {seen} {_rows(db, incident.id)}"
            assert channel.pins == {cards[0]["ts"]}, f"one pinned card {why}"
            assert incident.card_ts == cards[0]["ts"], why
            mine = [t for t in announced if f"incident {incident.number} declared" in t]
            assert len(mine) == 1, f"one announcement of incident {incident.number} {why}"
        held = {i.channel_id for i in incidents} | {
            f"{c.id}" for c in channels.values() if c.name == f"inc-{SEEDED}"
        }
        orphans = [c.name for c in channels.values() if not c.is_archived and c.id not in held]
        assert orphans == [], f"channels without an incident {why}"
    sent = [c.args["text"] for c in dms(fake)]
    twice = {text: n for text, n in Counter(sent).items() if n > 1}
    assert twice == {}, f"reminders (or declarers' links) sent twice {why}"
    reminded = [t for t in sent if "Action item" in t]
    assert len(reminded) == sum(1 for r in reminders if r.sent_at is not None), why
