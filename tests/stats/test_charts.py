"""Charts render headless to real PNGs of a size Slack previews legibly."""

from __future__ import annotations

import base64
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.db import Database
from bot.overview.digest_delivery import chart_parts, render_parts
from bot.stats.charts import render_png, stats_chart_png, weekly_chart_png, weeks_for
from bot.stats.rules import parse_stats_args
from tests.support.png import png_size
from tests.support.stats_factory import add_incident

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def _check(data: bytes, path: Path) -> None:
    path.write_bytes(data)
    assert path.exists() and path.stat().st_size > 5000
    width, height = png_size(path.read_bytes())
    assert 800 <= width <= 1600 and 350 <= height <= 900 and width > height


def test_render_with_data_and_without(tmp_path: Path) -> None:
    rng = random.Random(1)
    starts = [NOW - timedelta(weeks=w) for w in range(8, 0, -1)]
    counts = {
        "sev1": [rng.randint(0, 2) for _ in starts],
        "sev3": [rng.randint(0, 6) for _ in starts],
    }
    seconds = [rng.lognormvariate(8, 1.4) for _ in range(60)]
    _check(render_png(starts, counts, seconds, "Incidents, last 8 weeks"), tmp_path / "full.png")
    _check(render_png(starts, {}, [], "Nothing happened"), tmp_path / "empty.png")
    _check(
        render_png(starts, {"sev2": [1] + [0] * 7}, [0.0], "One instant fix"), tmp_path / "one.png"
    )


def test_weeks_for_windows() -> None:
    assert [weeks_for(d) for d in (7, 30, 90, None)] == [8, 8, 13, 26]


def test_charts_from_the_database(db: Database, tmp_path: Path) -> None:
    with db.unit_of_work() as s:
        for n in range(1, 31):
            declared = NOW - timedelta(days=n * 2)
            add_incident(
                s,
                n,
                severity=f"sev{n % 4 + 1}",
                declared=declared,
                resolved=declared + timedelta(minutes=7 * n),
            )
    with db.unit_of_work() as s:
        stats = stats_chart_png(s, parse_stats_args("90d sev2", NOW), NOW, "sev2, last 90 days")
        weekly = weekly_chart_png(s, NOW)
    _check(stats, tmp_path / "stats.png")
    _check(weekly, tmp_path / "weekly.png")


def test_digest_chart_part(db: Database) -> None:
    from types import SimpleNamespace

    report = SimpleNamespace(week_end=NOW, week="2026-W48")
    with db.unit_of_work() as s:
        assert chart_parts(s, report) == []
        add_incident(s, 1, severity="sev1", declared=NOW - timedelta(days=5))
    with db.unit_of_work() as s:
        (part,) = chart_parts(s, report)
    assert part["type"] == "file" and part["filename"].endswith(".png")
    png = base64.b64decode(part["content_b64"])
    assert png_size(png)[0] >= 800


def test_weekly_digest_ends_with_the_chart(db: Database) -> None:
    from zoneinfo import ZoneInfo

    from bot.overview.digest import build_report

    with db.unit_of_work() as s:
        add_incident(s, 1, severity="sev2", declared=NOW - timedelta(days=3))
    with db.unit_of_work() as s:
        report = build_report(s, ZoneInfo("UTC"), now=NOW, week_end=NOW)
        parts = render_parts(s, report)
    assert parts[0]["type"] == "message" and parts[-1]["type"] == "file"
    assert png_size(base64.b64decode(parts[-1]["content_b64"]))[0] >= 800
