"""Pure statistics: hand-computed values, then agreement with numpy and statistics."""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from bot.errors import IncidentError
from bot.stats.rules import (
    MIN_SAMPLE,
    GroupStats,
    Summary,
    compare,
    group_from_rows,
    parse_stats_args,
    percentile,
    short_duration,
    summarize,
    summarize_array,
)

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)


def test_percentile_by_hand() -> None:
    # sorted 1, 2, 3, 4, 10: h = 4 * 0.9 = 3.6 -> 4 + 0.6 * (10 - 4) = 7.6
    assert percentile([10, 1, 3, 2, 4], 0.9) == pytest.approx(7.6)
    assert percentile([10, 1, 3, 2, 4], 0.5) == 3
    # even n: median interpolates halfway: 1, 2, 3, 4 -> 2.5; p90: h = 2.7 -> 3.7
    assert percentile([4, 3, 2, 1], 0.5) == 2.5
    assert percentile([4, 3, 2, 1], 0.9) == pytest.approx(3.7)
    assert percentile([42], 0.9) == 42
    assert percentile([5, 7], 0.0) == 5 and percentile([5, 7], 1.0) == 7


def test_percentile_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        percentile([1], 1.5)


def test_summary_by_hand_and_missing_values_are_not_zero() -> None:
    s = summarize([600, None, 60, 3600, None, 120])
    assert s == Summary(n=4, median=360, p90=pytest.approx(2700), mean=1095, min=60, max=3600)
    assert s.too_small
    assert summarize([None, None]) == Summary(n=0)
    assert summarize([]).median is None


@pytest.mark.parametrize("seed", range(20))
def test_agrees_with_numpy_and_statistics_on_random_heavy_tails(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 400)
    values = [rng.lognormvariate(7, 1.5) for _ in range(n)]
    s = summarize(values)
    assert s.n == n
    assert s.median == pytest.approx(statistics.median(values))
    assert s.median == pytest.approx(float(np.percentile(values, 50)))
    assert s.p90 == pytest.approx(float(np.percentile(values, 90, method="linear")))
    assert s.mean == pytest.approx(statistics.fmean(values))
    assert (s.min, s.max) == (min(values), max(values))
    if n >= 2:  # statistics' "inclusive" method is the same linear rule
        assert s.p90 == pytest.approx(statistics.quantiles(values, n=10, method="inclusive")[-1])


def test_group_excludes_missing_milestones_per_duration_only() -> None:
    rows = [(60, 120, 600, 900), (None, None, 300, None), (30, None, None, None)]
    group = group_from_rows("sev2", rows)
    assert group.incidents == 3
    assert group.durations["time_to_detect"].n == 2
    assert group.durations["time_to_detect"].median == 45
    assert group.durations["time_to_acknowledge"] == Summary(1, 120, 120, 120, 120, 120)
    assert group.durations["time_to_mitigate"].median == 450
    assert group.durations["time_to_resolve"].n == 1


def test_parse_stats_args() -> None:
    q = parse_stats_args("", NOW)
    assert (q.window, q.severity, q.since, q.until) == ("30d", None, NOW - timedelta(30), None)
    q = parse_stats_args("SEV2 7d", NOW)
    assert (q.window, q.severity) == ("7d", "sev2")
    prev = q.previous()
    assert prev is not None and prev.since == NOW - timedelta(14) and prev.until == q.since
    q = parse_stats_args("all", NOW)
    assert q.since is None and q.previous() is None


@pytest.mark.parametrize("bad", ["14d", "sev5", "30d 7d", "sev1 sev2", "everything"])
def test_bad_stats_args_give_one_line_with_the_right_form(bad: str) -> None:
    with pytest.raises(IncidentError) as err:
        parse_stats_args(bad, NOW)
    assert "/incident stats [7d|30d|90d|all] [sev1-4]" in err.value.message
    assert "\n" not in err.value.message


def _group(incidents: int, resolve: list[float]) -> GroupStats:
    rows = [(None, None, None, v) for v in resolve]
    rows += [(None, None, None, None)] * (incidents - len(resolve))
    return group_from_rows("overall", rows)


def test_comparison_needs_ten_in_both_windows() -> None:
    big, small = _group(12, [600.0] * 12), _group(MIN_SAMPLE - 1, [60.0] * 9)
    assert not compare(big, small).comparable
    assert not compare(small, big).comparable
    both = compare(big, _group(10, [60.0] * 10))
    assert both.comparable
    resolve = next(c for c in both.changes if c.name == "time_to_resolve")
    assert resolve.comparable and (resolve.before.median, resolve.now.median) == (60, 600)
    detect = next(c for c in both.changes if c.name == "time_to_detect")
    assert not detect.comparable  # no samples at all for this duration


def test_short_duration() -> None:
    assert [short_duration(v) for v in (None, 45, 720, 12600, 2.5 * 86400)] == [
        "—",
        "45s",
        "12m",
        "3.5h",
        "2.5d",
    ]


@pytest.mark.parametrize("seed", range(5))
def test_summarize_array_matches_summarize(seed: int) -> None:
    rng = random.Random(seed)
    values = [rng.lognormvariate(7, 1.5) if rng.random() < 0.8 else None for _ in range(300)]
    array = np.array(values, dtype=float)
    want, got = summarize(values), summarize_array(array)
    assert got.n == want.n and (got.min, got.max) == (want.min, want.max)
    assert got.median == pytest.approx(want.median) and got.p90 == pytest.approx(want.p90)
    assert got.mean == pytest.approx(want.mean)
    assert summarize_array(np.array([np.nan])) == Summary(0)
