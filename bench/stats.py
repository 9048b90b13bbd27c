"""Benchmark `/incident stats all` and a /metrics scrape over 100,000 incidents.

Usage: .venv/bin/python bench/stats.py [--incidents N] [--pg postgresql://postgres@127.0.0.1/postgres]
Builds a throw-away SQLite file and a throw-away PostgreSQL database, fills both with the
same random heavy-tailed incidents, and prints the best of five runs of each step.
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
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import insert

from bot.db import Database
from bot.incidents.rules import MilestoneTimes, durations
from bot.migrate import upgrade
from bot.models import SEVERITIES, Incident
from bot.stats.charts import stats_chart_png
from bot.stats.metrics import DatabaseCollector
from bot.stats.query import comparison, window_stats
from bot.stats.rules import parse_stats_args

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def incident_rows(count: int, seed: int = 1) -> list[dict[str, object]]:
    """Random incidents over three years; about 20% lack each later milestone."""
    rng = random.Random(seed)
    rows = []
    for number in range(1, count + 1):
        declared = NOW - timedelta(seconds=rng.uniform(0, 3 * 365 * 86400))
        started = declared - timedelta(seconds=rng.randint(0, 3600))
        t, marks = started, {}
        for name in ("detected", "acknowledged", "mitigated", "resolved"):
            t = t + timedelta(seconds=int(rng.lognormvariate(7, 1.5)))
            marks[f"{name}_at"] = t if rng.random() < 0.8 else None
        if marks["detected_at"] and marks["detected_at"] < declared:
            marks["detected_at"] = None if rng.random() < 0.5 else marks["detected_at"]
        times = MilestoneTimes(
            started=started,
            declared=declared,
            **{k.removesuffix("_at"): v for k, v in marks.items()},
        )
        rows.append(
            dict(
                number=number,
                title=f"Incident {number}",
                severity=rng.choice(SEVERITIES),
                status="resolved" if marks["resolved_at"] else "investigating",
                private=rng.random() < 0.1,
                channel_id=f"C{number:09d}",
                channel_name=f"inc-{number}",
                declared_by="U1",
                declared_at=declared,
                started_at=started,
                last_activity_at=declared,
                members=["U1"],
                **marks,
                **durations(times),
            )
        )
    return rows


def fill(db: Database, rows: list[dict[str, object]]) -> None:
    upgrade(db)
    with db.unit_of_work() as session:
        for start in range(0, len(rows), 5000):
            session.execute(insert(Incident), rows[start : start + 5000])
    with db.engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def best_ms(step: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def measure(db: Database) -> dict[str, float]:
    def stats(window: str) -> Callable[[], object]:
        def run() -> object:
            with db.unit_of_work() as session:
                query = parse_stats_args(window, NOW)
                result = window_stats(session, query)
                return comparison(session, query, result)

        return run

    def chart() -> object:
        with db.unit_of_work() as session:
            return stats_chart_png(session, parse_stats_args("all", NOW), NOW, "bench")

    def scrape() -> object:
        return list(DatabaseCollector(db, NOW, ZoneInfo("UTC")).collect())

    return {
        "stats all (query)": best_ms(stats("all")),
        "stats 30d (+ previous 30d)": best_ms(stats("30d")),
        "stats all chart (query + PNG)": best_ms(chart, runs=3),
        "/metrics database scrape": best_ms(scrape),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    rows = incident_rows(args.incidents)
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        sqlite = Database(f"sqlite:///{tmp}/bench.db")
        fill(sqlite, rows)
        results["SQLite"] = measure(sqlite)
        sqlite.dispose()
    import psycopg

    name = f"incident_bot_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        pg = Database(args.pg.rsplit("/", 1)[0] + f"/{name}")
        fill(pg, rows)
        results["PostgreSQL"] = measure(pg)
        pg.dispose()
    finally:
        with psycopg.connect(args.pg, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    steps = list(next(iter(results.values())))
    print(f"{args.incidents:,} incidents; best of 5 (chart: of 3), milliseconds\n")
    print(f"{'step':<32}" + "".join(f"{db:>12}" for db in results))
    for step in steps:
        print(f"{step:<32}" + "".join(f"{results[db][step]:>12.1f}" for db in results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
