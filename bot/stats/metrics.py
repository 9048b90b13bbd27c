"""GET /metrics: this process's instruments plus incident facts read from the database.

Anything that must agree across replicas (open incidents, incidents declared, durations,
action items) is computed from the database at scrape time in three small queries (durations
are the incidents' stored columns, fetched as one text per severity and bucketed by numpy),
so every replica exposes the same values. Process-local events (Slack API errors, command
latency, reminders sent) come from bot.telemetry; sum them across replicas in PromQL.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo

import numpy as np
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db import Database
from bot.followups.overdue import OwnerToday, owner_today
from bot.models import SEVERITIES, STATUSES, ActionItem, Incident, Person
from bot.stats.query import known_durations
from bot.stats.rules import StatsQuery
from bot.telemetry import REGISTRY
from bot.wiring import Deps

log = logging.getLogger(__name__)
# Seconds: 5m, 15m, 30m, 1h, 2h, 4h, 8h, 1d, 3d, 1w — durations are heavy-tailed.
DURATION_BUCKETS = (300, 900, 1800, 3600, 7200, 14400, 28800, 86400, 259200, 604800)
HISTOGRAMS = {
    "time_to_resolve": "Incidents by time from start to resolved (started unset: declared).",
    "time_to_mitigate": "Incidents by time from start to mitigated (started unset: declared).",
}
OPEN_STATUSES = tuple(s for s in STATUSES if s != "resolved")


class DatabaseCollector(Collector):
    """Incident and action-item metrics from the database, computed at each scrape."""

    def __init__(self, db: Database, now: datetime, zone: ZoneInfo) -> None:
        self.db = db
        self.now = now
        self.zone = zone

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "incident_bot_database_up", "1 when the database answered this scrape, else 0."
        )
        try:
            with self.db.unit_of_work() as session:
                families = [
                    _open_incidents(session),
                    *_declared_and_durations(session),
                    *_action_items(session, owner_today(session, self.now, self.zone)),
                ]
        except Exception:
            log.exception("metrics: the database did not answer")
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families


def _open_incidents(session: Session) -> Metric:
    gauge = GaugeMetricFamily(
        "incident_bot_open_incidents",
        "Incidents not yet resolved, by severity and status.",
        labels=["severity", "status"],
    )
    counts = {(sev, status): 0 for sev in SEVERITIES for status in OPEN_STATUSES}
    rows = session.execute(
        select(Incident.severity, Incident.status, func.count())
        .where(Incident.resolved_at.is_(None))
        .group_by(Incident.severity, Incident.status)
    )
    for severity, status, count in rows:
        counts[(severity, status)] = int(count)
    for (severity, status), count in sorted(counts.items()):
        gauge.add_metric([severity, status], count)
    return gauge


def _declared_and_durations(session: Session) -> list[Metric]:
    fetched = known_durations(session, StatsQuery("all", None, None), tuple(HISTOGRAMS))
    declared = CounterMetricFamily(
        "incident_bot_incidents_declared",
        "Incidents declared, by current severity (from the database: right across replicas).",
        labels=["severity"],
    )
    histograms = {
        name: HistogramMetricFamily(f"incident_bot_{name}_seconds", doc, labels=["severity"])
        for name, doc in HISTOGRAMS.items()
    }
    for severity in SEVERITIES:
        part = fetched.get(severity)
        declared.add_metric([severity], part.incidents if part else 0)
        for name, histogram in histograms.items():
            seconds = np.sort(part.seconds[name]) if part else np.zeros(0)
            cumulative = np.searchsorted(seconds, DURATION_BUCKETS, side="right")
            buckets = [
                (str(float(b)), int(c)) for b, c in zip(DURATION_BUCKETS, cumulative, strict=True)
            ]
            histogram.add_metric(
                [severity], [*buckets, ("+Inf", len(seconds))], sum_value=int(seconds.sum())
            )
    return [declared, *histograms.values()]


def _action_items(session: Session, today: OwnerToday) -> list[Metric]:
    is_open = ActionItem.status == "open"
    open_count, overdue = session.execute(
        select(
            func.count().filter(is_open),
            func.count().filter(is_open, ActionItem.due < today.column()),
        )
        .select_from(ActionItem)
        .outerjoin(Person, ActionItem.owner == Person.id)
    ).one()
    open_gauge = GaugeMetricFamily(
        "incident_bot_open_action_items", "Follow-up action items still open."
    )
    open_gauge.add_metric([], int(open_count))
    overdue_gauge = GaugeMetricFamily(
        "incident_bot_overdue_action_items",
        "Open action items whose due date has passed in their owner's time zone.",
    )
    overdue_gauge.add_metric([], int(overdue))
    return [open_gauge, overdue_gauge]


def exposition(deps: Deps) -> tuple[bytes, str]:
    """Prometheus text format: process instruments, then the database's facts."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DatabaseCollector(deps.db, deps.clock(), deps.settings.zone))
    return generate_latest(REGISTRY) + generate_latest(registry), CONTENT_TYPE_LATEST
