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

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import (
    BigInteger,
    DateTime,
    Float,
    Integer,
    Text,
    case,
    cast,
    event,
    func,
    literal,
    select,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.models import Incident
from bot.policy import DURATIONS
from bot.stats import (
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


def seconds_between(start: Any, end: Any, dialect: str) -> ColumnElement[Any]:
    """Whole seconds from start to end (truncated toward zero), NULL when either is NULL.

    Exact to the microsecond, as bot.policy.durations computes it in Python.
    """
    if dialect == "postgresql":
        return cast(func.trunc(func.extract("epoch", end - start)), BigInteger)
    # SQLite integer division truncates toward zero, like int() of a timedelta's seconds.
    return (sqlite_micros(end) - sqlite_micros(start)) // 1_000_000


def sqlite_micros(moment: Any) -> ColumnElement[Any]:
    """Exact microseconds since the epoch of a UTCDateTime stored as text on SQLite.

    SQLAlchemy stores 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC, no offset): whole seconds from the
    first 19 characters, microseconds from the last 6. Anything else (an offset, 'Z', fewer or
    more digits) takes julianday, which applies the offset but rounds to milliseconds; the
    fraction read from the text ("0" then ".ffffff…": CAST ignores what follows the number)
    restores the exact whole seconds and microseconds (a 7th digit is dropped, as Python does).
    """
    canonical = func.unixepoch(func.substr(moment, 1, 19)) * 1_000_000 + cast(
        func.substr(moment, 21), Integer
    )
    fraction = cast(literal("0", Text).concat(func.substr(moment, 20)), Float)
    whole = cast(func.round((func.julianday(moment) - 2440587.5) * 86400.0 - fraction), Integer)
    micros = cast(func.round(fraction * 10_000_000), Integer) // 10
    return case(
        (moment.op("GLOB")(literal("*.[0-9][0-9][0-9][0-9][0-9][0-9]", Text)), canonical),
        else_=whole * 1_000_000 + micros,
    )


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
    fetched = _fetch(session, query)
    groups = [
        _group(label, counts[0], arrays)
        for label, (counts, arrays) in sorted(fetched.items(), key=lambda kv: kv[0])
    ]
    overall = [_concat(arrays[i] for _, arrays in fetched.values()) for i in _INDEXES]
    incidents = sum(counts[0] for counts, _ in fetched.values())
    groups.append(_group("overall", incidents, overall))
    private = sum(counts[1] for counts, _ in fetched.values())
    return StatsResult(sorted(groups, key=lambda g: severity_order(g.label)), private)


_INDEXES = range(len(DURATION_NAMES))
# (incidents, private) and one array of known seconds per duration, by severity
Fetched = dict[str, tuple[tuple[int, int], list[Any]]]
_CACHE = "bot.stats_query.fetched"


def _concat(arrays: Iterable[Any]) -> Any:
    return np.concatenate([np.zeros(0), *arrays])


def _group(label: str, incidents: int, arrays: list[Any]) -> GroupStats:
    group = GroupStats(label=label, incidents=incidents)
    for index, name in enumerate(DURATION_NAMES):
        group.durations[name] = summarize_array(arrays[index])
    return group


def _fetch(session: Session, query: StatsQuery) -> Fetched:
    """Every known duration of the window, as numpy arrays by severity; read once a session.

    SQL computes each duration as whole seconds and joins them into one text per severity and
    duration (NULLs, i.e. unknown durations, are skipped): a handful of rows instead of one
    per incident, parsed by numpy in C. The answer is kept in the session so that the chart's
    resolve_times reuses it; a flush or the end of the transaction forgets it.
    """
    key = (query.since, query.until, query.severity)
    cache = session.info.setdefault(_CACHE, {})
    if key not in cache:
        cache[key] = _read(session, query)
    return cache[key]


@event.listens_for(Session, "after_flush")
@event.listens_for(Session, "after_transaction_end")
def _forget(session: Session, *_: Any) -> None:
    session.info.pop(_CACHE, None)


def _read(session: Session, query: StatsQuery) -> Fetched:
    dialect = _dialect(session)
    per_incident = _per_incident(query, dialect)
    c = per_incident.c
    if dialect == "postgresql":
        joined = [func.string_agg(cast(c[name], Text), ",") for name in DURATION_NAMES]
    else:
        joined = [func.group_concat(c[name]) for name in DURATION_NAMES]
    stmt = select(c.severity, func.count(), func.sum(c.private), *joined).group_by(c.severity)
    fetched: Fetched = {}
    for severity, count, private, *texts in session.execute(stmt).all():
        arrays = [
            np.fromstring(text, dtype=np.float64, sep=",") if text else np.zeros(0)
            for text in texts
        ]
        fetched[severity] = ((int(count), int(private or 0)), arrays)
    return fetched


def _per_incident(query: StatsQuery, dialect: str) -> Any:
    """One row per incident of the window: severity, private (0/1) and the four durations."""
    private = cast(Incident.private, Integer).label("private")
    if dialect == "postgresql":
        exprs = duration_exprs(dialect)
        return (
            select(Incident.severity, private, *(exprs[n].label(n) for n in DURATION_NAMES))
            .where(*_filters(query))
            .subquery("durations")
        )
    # SQLite: convert each milestone once, in a subquery that OFFSET 0 keeps from being
    # flattened into the outer query (where it would be converted once per use).
    declared = sqlite_micros(Incident.declared_at)
    points = (
        select(
            Incident.severity,
            private,
            func.coalesce(sqlite_micros(Incident.started_at), declared).label("started"),
            sqlite_micros(Incident.detected_at).label("detected"),
            case((Incident.detected_at.is_(None), declared)).label("declared"),
            *(sqlite_micros(getattr(Incident, f"{m}_at")).label(m) for m in _ENDS),
        )
        .where(*_filters(query))
        .offset(0)
        .subquery("points")
    )
    p = points.c
    origin = {"started": p.started, "detected": func.coalesce(p.detected, p.declared)}
    end = {"detected": p.detected, **{m: p[m] for m in _ENDS}}
    columns = []
    for name, (start, finish) in DURATIONS.items():
        # SQLite's integer division truncates toward zero, like int() of total_seconds()
        seconds = (end[finish] - origin[start]) // 1_000_000
        columns.append(func.nullif(func.max(seconds, -1), -1).label(name))  # negative: left out
    return select(p.severity, p.private, *columns).subquery("durations")


_ENDS = ("acknowledged", "mitigated", "resolved")


def comparison(session: Session, query: StatsQuery, now: StatsResult) -> Comparison | None:
    """This window against the previous one of the same length; None for `all`."""
    previous = query.previous()
    if previous is None:
        return None
    return compare(now.overall, window_stats(session, previous).overall)


def resolve_times(session: Session, query: StatsQuery) -> Any:
    """Time-to-resolve in seconds of every resolved incident in the window (for the chart).

    A numpy array; the same read as window_stats, so after it in one session nothing is re-read.
    """
    index = DURATION_NAMES.index("time_to_resolve")
    return _concat(arrays[index] for _, arrays in _fetch(session, query).values())


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
