"""Real processes: two `incident-bot scheduler`s on one database send everything exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from bot.clock import utcnow
from bot.config import DAYS
from bot.db import Database
from bot.scheduling.runner import run_due
from tests.support.fakeslack import FakeSlack
from tests.support.scheduling import (
    add_item,
    dms,
    make_deps,
    open_incident,
    outbox_rows,
    posts_in,
)

CLI = [sys.executable, "-c", "from bot.cli import main; raise SystemExit(main())"]
ROOT = Path(__file__).resolve().parents[2]


def scheduler_env(db: Database, fake: FakeSlack, digest_channel: str) -> dict[str, str]:
    today = utcnow().date()
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("INCIDENT_", "SLACK_"))},
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": db.url,
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_API_URL": fake.api_url,
        "INCIDENT_TIMEZONE": "UTC",
        "INCIDENT_REMINDER_SWEEP": "1s",
        "INCIDENT_REMINDER_BEFORE": "3d",
        "INCIDENT_NUDGE_UNOWNED": "off",
        "INCIDENT_DIGEST_CHANNEL": digest_channel,
        "INCIDENT_DIGEST_SCHEDULE": f"{DAYS[today.weekday()]} 00:00",
    }


def test_two_scheduler_processes_send_each_message_once(
    db: Database, fake: FakeSlack, tmp_path: Path
) -> None:
    now = utcnow()
    today = now.date()
    digest = fake.add_channel("incident-digest")
    quiet = open_incident(db, fake, now - timedelta(hours=2), number=1, severity="sev1")
    incident = open_incident(db, fake, now - timedelta(days=5), number=2, severity="sev3")
    created = now - timedelta(days=5)
    for n in range(20):
        # Three owners: one person's DMs are paced like any channel (about one a second).
        owner = f"U{n % 3 + 1}"
        add_item(
            db, incident, now=created, owner=owner, due=today - timedelta(days=3), text=f"late {n}"
        )
    add_item(db, incident, now=created, due=today + timedelta(days=1), text="soon")
    env = scheduler_env(db, fake, digest)
    procs = [
        subprocess.Popen([*CLI, "scheduler"], env=env, cwd=tmp_path, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    try:
        # 21 reminders, and the quiet sev1's commander is asked for a stakeholder update
        fake.wait_for(lambda f: len(dms(f)) >= 22 and posts_in(f, digest), timeout=60)
        fake.wait_for(lambda f: posts_in(f, quiet.channel_id), timeout=10)
        time.sleep(2)  # more sweeps by both processes
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=10)
    assert len(dms(fake)) == 22
    asked = [d for d in dms(fake) if "Stakeholders are waiting" in d.args["text"]]
    assert len(asked) == 1 and "Incident 1 " in asked[0].args["text"]
    assert len(posts_in(fake, digest)) == 1
    nudges = [p for p in posts_in(fake, quiet.channel_id) if "quiet for" in p.args["text"]]
    assert len(nudges) == 1
    rows = outbox_rows(db)
    assert len(rows) == 24 and all(r.sent_at is not None for r in rows)
    assert len({r.dedupe_key for r in rows}) == 24
    fake.assert_no_violations()


KILLED_AFTER_CLAIM = """
import os, sys
from datetime import datetime
from bot.config import load_settings
from bot.wiring import build_deps
from bot.scheduling.runner import plan
from bot.outbox.store import claim
deps = build_deps(load_settings())
now = datetime.fromisoformat(sys.argv[1])
plan(deps, now)
rows = claim(deps.db, now=now, worker="doomed", claim_timeout=600)
print(len(rows), flush=True)
os._exit(9)  # killed between claim and send
"""


def test_reminder_claimed_by_a_killed_process_is_sent_after_the_timeout(
    db: Database, fake: FakeSlack, tmp_path: Path
) -> None:
    now = utcnow().replace(microsecond=0)
    incident = open_incident(db, fake, now, severity="sev4")
    add_item(db, incident, now=now - timedelta(days=9), due=date.today() - timedelta(days=3))
    env = scheduler_env(db, fake, fake.add_channel("digest"))
    env["INCIDENT_DIGEST_CHANNEL"] = ""
    done = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_CLAIM, now.isoformat()],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 9 and done.stdout.strip() == "1", done.stderr
    deps = make_deps(
        db, fake, now, INCIDENT_NUDGE_UNOWNED="off", INCIDENT_REMINDER_CLAIM_TIMEOUT="10m"
    )
    assert run_due(deps, now + timedelta(minutes=5)) == []
    assert run_due(deps, now + timedelta(minutes=10, seconds=1)) == ["reminder overdue AI-1 to U2"]
    assert len(dms(fake)) == 1
