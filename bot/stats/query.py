"""Incident statistics from the database: stored durations aggregated by severity.

Durations are the incident's stored columns, kept by bot.incidents with SPEC's rule
(bot.policy.durations): an unset started/detected counts as declared, a missing end milestone
gives NULL, whole seconds truncated toward zero. A negative duration (possible only when a
milestone was set before declared_at while started/detected is unset) is inconsistent data and
is left out like a missing milestone. Each duration's values are joined into one text per
severity in SQL and parsed by numpy; bot.stats summarises them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import DateTime, Integer, Text, cast, func, literal, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Incident
from bot.stats.rules import (
    DURATION_NAMES,
    Comparison,
    GroupStats,
    StatsQuery,
    compare,
    severity_order,
    summarize_array,
)

WEEK = timedelta(days=7)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _joined(column: Any, dialect: str) -> ColumnElement[Any]:
    """The group's non-NULL values as one comma-separated text (NULL when there are none)."""
    if dialect == "postgresql":
        return func.string_agg(cast(column, Text), ",")
    return func.group_concat(column)


def _known(text: str | None) -> Any:
    """Parse joined seconds; negative ones (inconsistent data) are left out."""
    values = np.fromstring(text, dtype=np.float64, sep=",") if text else np.zeros(0)
    return values[values >= 0]


def incident_filters(query: StatsQuery) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.since is not None:
        where.append(Incident.declared_at >= query.since)
    if query.until is not None:
        where.append(Incident.declared_at < query.until)
    if query.severity is not None:
        where.append(Incident.severity == query.severity)
    if query.incident_type is not None:
        where.append(Incident.type == query.incident_type)
    return where


@dataclass
class StatsResult:
    """Per-severity and overall statistics of one window, plus how many were private."""

    groups: list[GroupStats]
    private: int

    @property
    def overall(self) -> GroupStats:
        return next(g for g in self.groups if g.label == "overall")


@dataclass
class SeverityDurations:
    """One severity's incidents of a window and their known durations (numpy arrays)."""

    incidents: int
    private: int
    seconds: dict[str, Any]


def known_durations(
    session: Session, query: StatsQuery, names: Sequence[str] = DURATION_NAMES
) -> dict[str, SeverityDurations]:
    """Every known, non-negative stored duration of the window, by severity.

    One row per severity: counts, and each duration joined into one text (NULLs, i.e.
    unknown durations, are skipped) that numpy parses in C: far fewer Python objects than
    a row per incident.
    """
    dialect = _dialect(session)
    stmt = (
        select(
            Incident.severity,
            func.count(),
            func.sum(cast(Incident.private, Integer)),
            *(_joined(getattr(Incident, name), dialect) for name in names),
        )
        .where(*incident_filters(query))
        .group_by(Incident.severity)
    )
    return {
        severity: SeverityDurations(
            int(count), int(private or 0), {n: _known(t) for n, t in zip(names, texts, strict=True)}
        )
        for severity, count, private, *texts in session.execute(stmt).all()
    }


def window_stats(session: Session, query: StatsQuery) -> StatsResult:
    """Statistics of incidents declared in the query's window, by severity and overall."""
    fetched = known_durations(session, query)
    groups = [_group(label, [part]) for label, part in fetched.items()]
    groups.append(_group("overall", list(fetched.values())))
    private = sum(part.private for part in fetched.values())
    return StatsResult(sorted(groups, key=lambda g: severity_order(g.label)), private)


def _group(label: str, parts: list[SeverityDurations]) -> GroupStats:
    group = GroupStats(label=label, incidents=sum(part.incidents for part in parts))
    for name in DURATION_NAMES:
        group.durations[name] = summarize_array(_concat(part.seconds[name] for part in parts))
    return group


def _concat(arrays: Iterable[Any]) -> Any:
    return np.concatenate([np.zeros(0), *arrays])


def comparison(session: Session, query: StatsQuery, now: StatsResult) -> Comparison | None:
    """This window against the previous one of the same length; None for `all`."""
    previous = query.previous()
    if previous is None:
        return None
    return compare(now.overall, window_stats(session, previous).overall)


def resolve_times(session: Session, query: StatsQuery) -> Any:
    """Time-to-resolve in seconds of every resolved incident in the window (for the chart)."""
    fetched = known_durations(session, query, ("time_to_resolve",))
    return _concat(part.seconds["time_to_resolve"] for part in fetched.values())


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
        .where(*incident_filters(query))
        .group_by(bucket, Incident.severity)
    )
    starts = [origin + WEEK * i for i in range(weeks)]
    counts: dict[str, list[int]] = {}
    for index, sev, count in session.execute(stmt):
        if 0 <= int(index) < weeks:
            counts.setdefault(sev, [0] * weeks)[int(index)] += int(count)
    return starts, counts
