"""Benchmark the reminder sweep and the weekly digest over 100,000 action items.

Usage: .venv/bin/python bench/followups.py [--items N] [--pg postgresql://postgres@127.0.0.1/postgres]
Builds a throw-away SQLite file and a throw-away PostgreSQL database, fills both with the same
items (5% of them due for a reminder now), and prints the best of three runs of each step:

- plan (first): the sweep's planning query over every open item, inserting the due 5% as
  outbox rows;
- plan (steady): the same pass a minute later, when every due row already exists;
- claim all due: claiming every due row in batches of 200, as the sweep does before sending;
- digest report: the digest's queries (open items, closed this week, incidents of the week);
- digest render: the report rendered into Block Kit messages.
Sending is Slack-bound (Slack allows about one message per second per conversation) and is not
measured here.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg
from sqlalchemy import delete, insert, update

from bot.config import load_settings
from bot.db import Database
from bot.migrate import upgrade
from bot.models import ActionItem, Incident, Outbox
from bot.outbox.store import claim
from bot.overview.digest import build_report
from bot.overview.digest_delivery import render_parts
from bot.scheduling.planner import plan_all

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
TODAY = NOW.date()
INCIDENTS = 1000


def fill(db: Database, items: int, seed: int = 7) -> int:
    """Incidents and items; returns how many items are due for a reminder at NOW."""
    rng = random.Random(seed)
    incidents = [
        dict(
            number=n,
            title=f"Incident {n}",
            severity=rng.choice(("sev3", "sev4")),
            status="resolved",
            private=rng.random() < 0.1,
            channel_id=f"C{n:09d}",
            channel_name=f"inc-{n}",
            commander="U1",
            declared_by="U1",
            declared_at=NOW - timedelta(days=rng.uniform(1, 700)),
            resolved_at=NOW - timedelta(hours=rng.uniform(0, 20)),
            last_activity_at=NOW,
            members=["U1"],
        )
        for n in range(1, INCIDENTS + 1)
    ]
    rows, due_now = [], 0
    for n in range(items):
        if rng.random() < 0.05:
            due, due_now = TODAY - timedelta(days=rng.randint(2, 60)), due_now + 1
        else:
            due = TODAY + timedelta(days=rng.randint(10, 365)) if rng.random() < 0.8 else None
        closed = rng.random() < 0.1 and due is None
        rows.append(
            dict(
                incident_id=rng.randint(1, INCIDENTS),
                text=f"Follow-up {n}: make the thing more robust",
                owner=f"U{rng.randint(1, 300)}",
                due=due,
                priority="medium",
                type="prevent",
                status="done" if closed else "open",
                created_by="U1",
                created_at=NOW - timedelta(days=90),
                closed_at=NOW - timedelta(days=rng.uniform(0, 30)) if closed else None,
            )
        )
    with db.unit_of_work() as session:
        session.execute(insert(Incident), incidents)
        for start in range(0, len(rows), 10000):
            session.execute(insert(ActionItem), rows[start : start + 10000])
    return due_now


def best(
    step: Callable[[], object], runs: int = 3, reset: Callable[[], None] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if reset:
            reset()
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return min(times)


def measure(db: Database, items: int) -> dict[str, float]:
    settings = load_settings(
        DATABASE_URL=db.url, INCIDENT_NUDGE_SEV3="off", INCIDENT_DIGEST_CHANNEL=None
    )
    due_now = fill(db, items)

    def clear() -> None:
        with db.unit_of_work() as session:
            session.execute(delete(Outbox))

    def plan() -> int:
        with db.unit_of_work() as session:
            return plan_all(session, settings, NOW)

    def unclaim() -> None:
        with db.unit_of_work() as session:
            session.execute(update(Outbox).values(claimed_at=None, claimed_by=None))

    def claim_all() -> int:
        total = 0
        while rows := claim(db, now=NOW, worker="bench", claim_timeout=600, limit=200):
            total += len(rows)
        assert total == due_now, (total, due_now)
        return total

    def report() -> object:
        with db.unit_of_work() as session:
            return build_report(session, settings.zone, now=NOW, week_end=NOW)

    out = {"plan (first)": best(plan, reset=clear)}
    assert plan() == 0
    out["plan (steady)"] = best(plan)
    out["claim all due"] = best(claim_all, reset=unclaim)
    out["digest report"] = best(report)
    built = report()
    with db.unit_of_work() as session:
        out["digest render"] = best(lambda: render_parts(session, built))  # type: ignore[arg-type]
        parts = render_parts(session, built)  # type: ignore[arg-type]
    out["_due"] = due_now
    out["_messages"] = len(parts)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(db)
        results["SQLite"] = measure(db, args.items)
        db.dispose()
    name = f"incident_bot_bench_{uuid.uuid4().hex[:8]}"
    try:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        base = args.pg.rsplit("/", 1)[0].split("://", 1)[1]
        db = Database(f"postgresql+psycopg://{base}/{name}")
        upgrade(db)
        results["PostgreSQL"] = measure(db, args.items)
        db.dispose()
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    except psycopg.OperationalError as exc:
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
    first = next(iter(results.values()))
    print(f"{args.items:,} action items, {int(first['_due']):,} due now; best of 3, seconds")
    print(f"digest: {int(first['_messages'])} Slack messages")
    steps = [k for k in first if not k.startswith("_")]
    print(f"{'step':<16}" + "".join(f"{db_name:>12}" for db_name in results))
    for step in steps:
        print(f"{step:<16}" + "".join(f"{r[step]:>12.3f}" for r in results.values()))
    slow = [(d, s) for d, r in results.items() for s in steps if r[s] >= 1.0]
    print("all under 1 s" if not slow else f"over 1 s: {slow}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
