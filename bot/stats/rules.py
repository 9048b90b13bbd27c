"""Honest incident statistics: pure functions, no Slack, no database.

Incident durations are heavy-tailed and samples are small, so the headline is the median and
the 90th percentile, with the sample size beside every number. Percentiles use linear
interpolation between closest ranks (numpy's default "linear" method, Hyndman & Fan type 7,
the same rule as PostgreSQL's percentile_cont): with the n values sorted x[0] ≤ … ≤ x[n-1],
p(q) = x[lo] + (h - lo) · (x[lo+1] - x[lo]) where h = (n - 1) · q and lo = floor(h).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from bot.errors import IncidentError
from bot.incidents.rules import DURATIONS
from bot.models import SEVERITIES

MIN_SAMPLE = 10  # below this, a median or p90 is too unstable to compare against another
WINDOWS = {"7d": 7, "30d": 30, "90d": 90, "all": None}
DEFAULT_WINDOW = "30d"
STATS_USAGE = "/incident stats [7d|30d|90d|all] [sev1-4] [type:TYPE]"
DURATION_NAMES = tuple(DURATIONS)  # time_to_detect, _acknowledge, _mitigate, _resolve


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0 ≤ q ≤ 1) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("percentile of an empty sample")
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"quantile {q} is outside [0, 1]")
    ordered = sorted(values)
    return _sorted_percentile(ordered, q)


def _sorted_percentile(ordered: Sequence[float], q: float) -> float:
    h = (len(ordered) - 1) * q
    lo = math.floor(h)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (h - lo) * (ordered[hi] - ordered[lo])


@dataclass(frozen=True)
class Summary:
    """One duration over a sample: n and, when n > 0, median, p90, mean, min, max (seconds)."""

    n: int
    median: float | None = None
    p90: float | None = None
    mean: float | None = None
    min: float | None = None
    max: float | None = None

    @property
    def too_small(self) -> bool:
        """True when the sample is too small to compare with another (n < MIN_SAMPLE)."""
        return self.n < MIN_SAMPLE


def summarize(values: Iterable[float | None]) -> Summary:
    """Summary of the known values; None (a missing milestone) is left out, never zero."""
    ordered = sorted(v for v in values if v is not None)
    if not ordered:
        return Summary(n=0)
    return Summary(
        n=len(ordered),
        median=_sorted_percentile(ordered, 0.5),
        p90=_sorted_percentile(ordered, 0.9),
        mean=math.fsum(ordered) / len(ordered),
        min=ordered[0],
        max=ordered[-1],
    )


def summarize_array(values: Any) -> Summary:
    """summarize() for a numpy array, NaN meaning unknown: the same numbers, much faster."""
    known = np.sort(values[~np.isnan(values)])
    if not len(known):
        return Summary(n=0)
    median, p90 = (float(_sorted_percentile(known, q)) for q in (0.5, 0.9))
    return Summary(
        n=len(known),
        median=median,
        p90=p90,
        mean=float(known.mean()),
        min=float(known[0]),
        max=float(known[-1]),
    )


@dataclass
class GroupStats:
    """One severity (or `overall`): incidents counted and a Summary per duration."""

    label: str
    incidents: int
    durations: dict[str, Summary] = field(default_factory=dict)


@dataclass
class StatsQuery:
    """What `stats` was asked for: incidents declared in [since, until) and a severity.

    `since` None means all time; `until` None means up to now (nothing is declared later).
    """

    window: str
    severity: str | None
    since: datetime | None
    until: datetime | None = None
    incident_type: str | None = None  # `type:NAME`: only incidents of that type

    @property
    def days(self) -> int | None:
        return WINDOWS[self.window]

    def previous(self) -> StatsQuery | None:
        """The window just before this one, of the same length (none for `all`)."""
        if self.since is None or self.days is None:
            return None
        start = self.since - timedelta(days=self.days)
        return StatsQuery(self.window, self.severity, start, self.since, self.incident_type)


def parse_stats_args(rest: str, now: datetime) -> StatsQuery:
    """`[7d|30d|90d|all] [sev1-4] [type:TYPE]` in any order; anything else is one clear error."""
    window, severity, kind = None, None, None
    for word in rest.lower().split():
        if word in WINDOWS and window is None:
            window = word
        elif re.fullmatch(r"sev[1-4]", word) and severity is None:
            severity = word
        elif re.fullmatch(r"type:[a-z][a-z0-9_-]{0,39}", word) and kind is None:
            kind = word.removeprefix("type:")
        else:
            raise IncidentError(f"`{word}` isn't understood here. Use: `{STATS_USAGE}`")
    window = window or DEFAULT_WINDOW
    days = WINDOWS[window]
    since = None if days is None else now - timedelta(days=days)
    return StatsQuery(window=window, severity=severity, since=since, incident_type=kind)


@dataclass(frozen=True)
class Change:
    """One duration's median now and before, or why they can't be compared."""

    name: str
    before: Summary
    now: Summary

    @property
    def comparable(self) -> bool:
        return not self.before.too_small and not self.now.too_small


@dataclass
class Comparison:
    """This window against the previous one of the same length."""

    incidents_now: int
    incidents_before: int
    changes: list[Change]

    @property
    def comparable(self) -> bool:
        """Only when both windows hold at least MIN_SAMPLE incidents."""
        return min(self.incidents_now, self.incidents_before) >= MIN_SAMPLE


def compare(now: GroupStats, before: GroupStats) -> Comparison:
    """Pair each duration's summaries; Change.comparable says whether each may be shown."""
    changes = [
        Change(name, before.durations.get(name, Summary(0)), now.durations.get(name, Summary(0)))
        for name in DURATION_NAMES
    ]
    return Comparison(now.incidents, before.incidents, changes)


def group_from_rows(label: str, rows: Sequence[Sequence[float | None]]) -> GroupStats:
    """GroupStats from rows of (detect, acknowledge, mitigate, resolve) seconds."""
    stats = GroupStats(label=label, incidents=len(rows))
    for index, name in enumerate(DURATION_NAMES):
        stats.durations[name] = summarize(row[index] for row in rows)
    return stats


def severity_order(label: str) -> int:
    """sev1 … sev4 first, then `overall`."""
    return SEVERITIES.index(label) if label in SEVERITIES else len(SEVERITIES)


def short_duration(seconds: float | None) -> str:
    """Compact, rounded for a table: `45s`, `12m`, `3.5h`, `2.1d`; `—` when unknown."""
    if seconds is None:
        return "—"
    value = abs(seconds)
    sign = "-" if seconds < 0 else ""
    if value < 60:
        return f"{sign}{value:.0f}s"
    if value < 3600:
        return f"{sign}{value / 60:.0f}m"
    if value < 86400:
        return f"{sign}{value / 3600:.1f}h"
    return f"{sign}{value / 86400:.1f}d"
