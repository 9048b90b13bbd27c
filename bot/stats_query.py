"""Incident statistics from the database: durations computed and aggregated in SQL.

Durations follow SPEC (and bot.policy.durations): an unset started/detected counts as
declared, a missing end milestone gives NULL, whole seconds truncated toward zero. A negative
duration (possible only when a milestone was set before declared_at while started/detected is
unset) is inconsistent data and is left out like a missing milestone. PostgreSQL computes the
percentiles itself (percentile_cont: the same linear rule as bot.stats.percentile); SQLite has
no percentile function, so it returns one row of durations per incident and bot.stats
summarises them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import BigInteger, DateTime, Float, Integer, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Incident
from bot.policy import DURATIONS
from bot.stats import (
    DURATION_NAMES,
    Comparison,
    GroupStats,
    StatsQuery,
    Summary,
    compare,
    group_from_rows,
    severity_order,
    summarize_array,
)

WEEK = timedelta(days=7)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement[Any]:
    """Whole seconds from start to end (truncated toward zero), NULL when either is NULL."""
    if dialect == "postgresql":
        return cast(func.trunc(func.extract("epoch", end - start)), BigInteger)
    # julianday keeps milliseconds; round away float noise before truncating.
    return cast(func.round((func.julianday(end) - func.julianday(start)) * 86400.0, 3), Integer)


def duration_exprs(dialect: str) -> dict[str, ColumnElement[Any]]:
    """SPEC's four durations as SQL expressions; negative (inconsistent) ones become NULL."""
    origin = {
        "started": func.coalesce(Incident.started_at, Incident.declared_at),
        "detected": func.coalesce(Incident.detected_at, Incident.declared_at),
    }
    out: dict[str, ColumnElement[Any]] = {}
    for name, (start, end) in DURATIONS.items():
        seconds = seconds_between(origin[start], getattr(Incident, f"{end}_at"), dialect)
        # NULLIF(GREATEST(s, -1), -1): NULL when negative, evaluating s once (it's the cost).
        greatest = func.greatest if dialect == "postgresql" else func.max
        out[name] = func.nullif(greatest(seconds, -1), -1)
    return out


def _filters(query: StatsQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.since is not None:
        where.append(Incident.declared_at >= query.since)
    if query.until is not None:
        where.append(Incident.declared_at < query.until)
    if query.severity is not None:
        where.append(Incident.severity == query.severity)
    return where


@dataclass
class StatsResult:
    """Per-severity and overall statistics of one window, plus how many were private."""

    groups: list[GroupStats]
    private: int

    @property
    def overall(self) -> GroupStats:
        return next(g for g in self.groups if g.label == "overall")


def window_stats(session: Session, query: StatsQuery) -> StatsResult:
    """Statistics of incidents declared in the query's window, by severity and overall."""
    if _dialect(session) == "postgresql":
        return _postgres_stats(session, query)
    return _python_stats(session, query)


# Milestones as fetched on SQLite: the two origins, then the four ends (see DURATIONS).
_SQLITE_POINTS = ("started", "detected", "acknowledged", "mitigated", "resolved")
_SQLITE_PAIRS = {
    name: (_SQLITE_POINTS.index(start), _SQLITE_POINTS.index(end))
    for name, (start, end) in DURATIONS.items()
}


def _sqlite_durations(session: Session, query: StatsQuery) -> tuple[list[str], Any, Any]:
    """Severities, private flags and an (n, 4) float array of durations (NaN when unknown).

    Each milestone is parsed once (julianday is the cost on SQLite); differences, truncation
    to whole seconds and the negative check happen vectorised in numpy.
    """
    import numpy as np  # matplotlib's own dependency, so always installed

    points = [
        func.julianday(func.coalesce(Incident.started_at, Incident.declared_at)),
        func.julianday(func.coalesce(Incident.detected_at, Incident.declared_at)),
        func.julianday(Incident.acknowledged_at),
        func.julianday(Incident.mitigated_at),
        func.julianday(Incident.resolved_at),
        Incident.detected_at.is_(None),  # detected as an end is unknown when unset
    ]
    stmt = select(Incident.severity, Incident.private, *points).where(*_filters(query))
    rows = session.connection().execute(stmt).all()  # Core rows: no ORM bookkeeping
    if not rows:
        return [], np.zeros(0, dtype=bool), np.zeros((0, len(DURATION_NAMES)))
    matrix = np.array([row[2:] for row in rows], dtype=float)  # None -> NaN
    detected_end = matrix[:, 1].copy()
    detected_end[matrix[:, 5] == 1] = np.nan
    columns = []
    for name in DURATION_NAMES:
        start, end = _SQLITE_PAIRS[name]
        finish = detected_end if _SQLITE_POINTS[end] == "detected" else matrix[:, end]
        seconds = np.trunc(np.round((finish - matrix[:, start]) * 86400.0, 3))
        seconds[seconds < 0] = np.nan  # inconsistent milestones: left out
        columns.append(seconds)
    private = np.array([bool(row[1]) for row in rows])
    return [row[0] for row in rows], private, np.column_stack(columns)


def _python_stats(session: Session, query: StatsQuery) -> StatsResult:
    import numpy as np

    severities, private, durations = _sqlite_durations(session, query)
    labels = np.array(severities, dtype=object)
    groups = []
    for label in (*sorted(set(severities)), "overall"):
        rows = durations if label == "overall" else durations[labels == label]
        group = GroupStats(label=label, incidents=len(rows))
        for index, name in enumerate(DURATION_NAMES):
            group.durations[name] = summarize_array(rows[:, index])
        groups.append(group)
    return StatsResult(sorted(groups, key=lambda g: severity_order(g.label)), int(private.sum()))


def _postgres_stats(session: Session, query: StatsQuery) -> StatsResult:
    from sqlalchemy.dialects.postgresql import array

    # Each duration computed once per row (materialised), one sort per duration for both
    # percentiles (percentile_cont over an array of fractions).
    per_incident = (
        select(
            Incident.severity,
            cast(Incident.private, Integer).label("private"),
            *(expr.label(name) for name, expr in duration_exprs("postgresql").items()),
        )
        .where(*_filters(query))
        .cte("durations")
        .prefix_with("MATERIALIZED")
    )
    c = per_incident.c
    columns: list[Any] = [c.severity, func.count(), func.coalesce(func.sum(c.private), 0)]
    for name in DURATION_NAMES:
        value = cast(c[name], Float)
        columns += [
            func.count(c[name]),
            func.percentile_cont(array([0.5, 0.9])).within_group(value),
            func.avg(value),
            func.min(c[name]),
            func.max(c[name]),
        ]
    stmt = select(*columns).group_by(func.rollup(c.severity))
    groups, private = [], 0
    for severity, count, private_count, *numbers in session.execute(stmt):
        label = severity or "overall"
        if label == "overall":
            private = int(private_count)
        group = GroupStats(label=label, incidents=int(count))
        for index, name in enumerate(DURATION_NAMES):
            n, quantiles, mean, low, high = numbers[index * 5 : index * 5 + 5]
            median, p90 = quantiles if quantiles else (None, None)
            group.durations[name] = _summary(n, median, p90, mean, low, high)
        groups.append(group)
    if not groups:  # ROLLUP over no rows gives no rows at all
        groups.append(group_from_rows("overall", []))
    return StatsResult(sorted(groups, key=lambda g: severity_order(g.label)), private)


def _summary(n: int, *values: Any) -> Summary:
    if not n:
        return Summary(0)
    median, p90, mean, low, high = (float(v) for v in values)
    return Summary(int(n), median, p90, mean, low, high)


def comparison(session: Session, query: StatsQuery, now: StatsResult) -> Comparison | None:
    """This window against the previous one of the same length; None for `all`."""
    previous = query.previous()
    if previous is None:
        return None
    return compare(now.overall, window_stats(session, previous).overall)


def resolve_times(session: Session, query: StatsQuery) -> list[float]:
    """Time-to-resolve in seconds of every resolved incident in the window (for the chart)."""
    resolved = StatsQuery(query.window, query.severity, query.since, query.until)
    if _dialect(session) != "postgresql":
        _, _, durations = _sqlite_durations(session, resolved)
        column = durations[:, DURATION_NAMES.index("time_to_resolve")] if len(durations) else []
        return [float(v) for v in column if v == v]  # NaN != NaN
    expr = duration_exprs("postgresql")["time_to_resolve"]
    stmt = select(expr).where(*_filters(query), Incident.resolved_at.is_not(None))
    return [float(v) for v in session.scalars(stmt) if v is not None]


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of the week holding `moment`."""
    day = moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=day.weekday())


def weekly_counts(
    session: Session, weeks: int, now: datetime, severity: str | None = None
) -> tuple[list[datetime], dict[str, list[int]]]:
    """Incidents declared per week by severity over the last `weeks` weeks (UTC Mondays)."""
    origin = week_start(now) - WEEK * (weeks - 1)
    dialect = _dialect(session)
    if dialect == "postgresql":
        since = literal(origin, DateTime(timezone=True))
        bucket = func.floor(func.extract("epoch", Incident.declared_at - since) / 604800)
    else:
        since_text = origin.strftime("%Y-%m-%d %H:%M:%S")
        bucket = (func.julianday(Incident.declared_at) - func.julianday(since_text)) / 7
    bucket = cast(bucket, Integer)
    query = StatsQuery("all", severity, origin)
    stmt = (
        select(bucket, Incident.severity, func.count())
        .where(*_filters(query))
        .group_by(bucket, Incident.severity)
    )
    starts = [origin + WEEK * i for i in range(weeks)]
    counts: dict[str, list[int]] = {}
    for index, sev, count in session.execute(stmt):
        if 0 <= int(index) < weeks:
            counts.setdefault(sev, [0] * weeks)[int(index)] += int(count)
    return starts, counts
