"""Statistics computed in SQL agree with the pure maths and SPEC's durations, on both backends."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import pytest

from bot.db import Database
from bot.stats.query import comparison, resolve_times, weekly_counts, window_stats
from bot.stats.rules import parse_stats_args
from tests.support.stats_factory import add_incident

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
H = timedelta(hours=1)
M = timedelta(minutes=1)


def test_durations_by_severity_by_hand(db: Database) -> None:
    d = NOW - timedelta(days=3)
    with db.unit_of_work() as s:
        # sev1: resolve 1h, 3h (started unset: counts from declared); detect only on the first
        add_incident(
            s,
            1,
            severity="sev1",
            declared=d,
            started=d - 10 * M,
            detected=d - 5 * M,
            resolved=d + 50 * M,
        )
        add_incident(s, 2, severity="sev1", declared=d, resolved=d + 3 * H)
        # sev3: open, nothing but declared; a private one resolved after 2h
        add_incident(s, 3, severity="sev3", declared=d)
        add_incident(s, 4, severity="sev3", declared=d, private=True, resolved=d + 2 * H)
        # outside the 30-day window
        add_incident(s, 5, severity="sev1", declared=NOW - timedelta(days=40), resolved=NOW)
    with db.unit_of_work() as s:
        result = window_stats(s, parse_stats_args("30d", NOW))
    by = {g.label: g for g in result.groups}
    assert [g.label for g in result.groups] == ["sev1", "sev3", "overall"]
    assert (by["sev1"].incidents, by["sev3"].incidents, by["overall"].incidents) == (2, 2, 4)
    assert result.private == 1
    sev1 = by["sev1"].durations
    assert sev1["time_to_resolve"].n == 2 and sev1["time_to_resolve"].median == 7200
    assert sev1["time_to_resolve"].p90 == pytest.approx(3600 + 0.9 * 7200)
    # incident 1: detect 5m; incident 2 has no detected milestone: left out, not zero
    assert sev1["time_to_detect"].n == 1 and sev1["time_to_detect"].max == 300
    assert sev1["time_to_acknowledge"].n == 0 and sev1["time_to_acknowledge"].median is None
    overall = by["overall"].durations["time_to_resolve"]
    assert (overall.n, overall.median, overall.min, overall.max) == (3, 7200, 3600, 10800)
    with db.unit_of_work() as s:
        only = window_stats(s, parse_stats_args("sev3 all", NOW))
    assert [g.label for g in only.groups] == ["sev3", "overall"]


def _by_hand(declared: datetime, marks: dict[str, datetime | None]) -> dict[str, int | None]:
    """SPEC's table, restated: detect started→detected, acknowledge detected→acknowledged,
    mitigate started→mitigated, resolve started→resolved; an unset started or detected counts
    as declared; whole seconds, cut toward zero."""
    started = marks["started"] or declared
    detected = marks["detected"] or declared
    spans = {
        "time_to_detect": (started, marks["detected"]),
        "time_to_acknowledge": (detected, marks["acknowledged"]),
        "time_to_mitigate": (started, marks["mitigated"]),
        "time_to_resolve": (started, marks["resolved"]),
    }
    return {
        name: None if end is None else int((end - begin).total_seconds())
        for name, (begin, end) in spans.items()
    }


def test_sql_statistics_match_specs_durations_worked_out_by_hand(db: Database) -> None:
    rng = random.Random(7)
    expected: list[dict[str, int | None]] = []
    with db.unit_of_work() as s:
        for number in range(1, 151):
            declared = NOW - timedelta(days=rng.uniform(0, 80), microseconds=rng.randint(0, 999999))
            t = declared - timedelta(seconds=rng.randint(0, 3600))
            marks: dict[str, datetime | None] = {"started": t if rng.random() < 0.7 else None}
            for name in ("detected", "acknowledged", "mitigated", "resolved"):
                t = t + timedelta(seconds=int(rng.lognormvariate(7, 1.5)))
                marks[name] = t if rng.random() < 0.8 else None
            if marks["started"] is None and marks["detected"] and marks["detected"] < declared:
                marks["detected"] = None
            add_incident(
                s,
                number,
                severity=rng.choice(["sev1", "sev2", "sev3", "sev4"]),
                declared=declared,
                **marks,
            )
            expected.append(_by_hand(declared, marks))
    with db.unit_of_work() as s:
        result = window_stats(s, parse_stats_args("90d", NOW))
    assert result.overall.incidents == 150
    for name in ("time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve"):
        # negative spans (a milestone before declared while started is unset) are left out
        values = sorted(e[name] for e in expected if e[name] is not None and e[name] >= 0)
        got = result.overall.durations[name]
        assert (got.n, got.min, got.max) == (len(values), values[0], values[-1]), name
        assert got.median == pytest.approx(statistics.median(values)), name
        p90 = statistics.quantiles(values, n=10, method="inclusive")[8]
        assert got.p90 == pytest.approx(p90), name
        assert got.mean == pytest.approx(statistics.fmean(values)), name


def test_comparison_with_previous_window(db: Database) -> None:
    with db.unit_of_work() as s:
        n = 0
        for days_ago, count, minutes in ((3, 12, 30), (10, 4, 90), (35, 11, 60)):
            for _ in range(count):
                n += 1
                d = NOW - timedelta(days=days_ago)
                add_incident(s, n, declared=d, resolved=d + minutes * M)
    with db.unit_of_work() as s:
        q30 = parse_stats_args("30d", NOW)
        cmp30 = comparison(s, q30, window_stats(s, q30))
        q7 = parse_stats_args("7d", NOW)
        cmp7 = comparison(s, q7, window_stats(s, q7))
        assert comparison(s, parse_stats_args("all", NOW), window_stats(s, q30)) is None
    assert cmp30 is not None and cmp30.comparable
    assert (cmp30.incidents_now, cmp30.incidents_before) == (16, 11)
    ttr = next(c for c in cmp30.changes if c.name == "time_to_resolve")
    assert (ttr.before.median, ttr.now.median) == (3600, 1800)
    assert cmp7 is not None and not cmp7.comparable  # 12 now, 4 before


def test_chart_data(db: Database) -> None:
    with db.unit_of_work() as s:
        # NOW is a Thursday; week starts are Mondays 00:00 UTC
        add_incident(s, 1, severity="sev1", declared=NOW - H, resolved=NOW - 30 * M)
        add_incident(s, 2, severity="sev2", declared=NOW - timedelta(days=3, hours=14))
        add_incident(s, 3, severity="sev2", declared=NOW - timedelta(days=8), resolved=NOW)
        add_incident(s, 4, severity="sev2", declared=NOW - timedelta(days=80))
    with db.unit_of_work() as s:
        starts, counts = weekly_counts(s, 4, NOW)
        ttr = resolve_times(s, parse_stats_args("all", NOW))
    assert starts[-1] == datetime(2026, 11, 23, tzinfo=UTC) and len(starts) == 4
    assert counts == {"sev1": [0, 0, 0, 1], "sev2": [0, 0, 1, 1]}
    assert sorted(ttr) == [1800.0, 8 * 86400 + 0.0]


def test_empty_database(db: Database) -> None:
    with db.unit_of_work() as s:
        result = window_stats(s, parse_stats_args("all", NOW))
    assert [g.label for g in result.groups] == ["overall"]
    assert result.overall.incidents == 0 and result.private == 0
