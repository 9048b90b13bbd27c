"""Where the milestones behind the durations came from: alerts or people.

A milestone an alert set (the earliest alert start, the first notification, the pager's
acknowledgement, the first Declare/Attach press) leaves a timeline entry whose source names
the sender; one typed later replaces it with a new entry. The latest entry of each milestone
says where the stored time came from.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alert_models import MILESTONE_SOURCES
from bot.models import Incident, TimelineEntry
from bot.stats.query import incident_filters
from bot.stats.rules import StatsQuery

ALERT_MILESTONES = ("started", "detected", "acknowledged")  # the ones alerts can set
PREFIX = "Marked "  # bot.incidents.lifecycle.milestone_text


@dataclass(frozen=True)
class Sourced:
    """Of the incidents with this milestone set, how many took its time from alerts."""

    name: str
    from_alerts: int
    set: int


def milestone_sources(session: Session, query: StatsQuery) -> list[Sourced]:
    """Per milestone alerts can set: incidents of the window with it set, and from alerts."""
    entries = session.execute(
        select(TimelineEntry.incident_id, TimelineEntry.text, TimelineEntry.source)
        .join(Incident, Incident.id == TimelineEntry.incident_id)
        .where(*incident_filters(query), TimelineEntry.kind == "milestone", ~TimelineEntry.removed)
        .order_by(TimelineEntry.id)
    ).all()
    latest: dict[tuple[int, str], str] = {}
    for incident_id, text, source in entries:
        name = text.removeprefix(PREFIX).split(" ", 1)[0]
        if text.startswith(PREFIX) and name in ALERT_MILESTONES:
            latest[(incident_id, name)] = source
    out = []
    for name in ALERT_MILESTONES:
        column = getattr(Incident, f"{name}_at")
        with_it = set(
            session.scalars(
                select(Incident.id).where(*incident_filters(query), column.is_not(None))
            )
        )
        alerts = sum(
            1
            for (incident_id, n), source in latest.items()
            if n == name and incident_id in with_it and source in MILESTONE_SOURCES
        )
        out.append(Sourced(name, alerts, len(with_it)))
    return out


def sources_line(found: list[Sourced]) -> str | None:
    """`Milestones from alerts: started 3 of 4, …; the rest were typed.` (None: none were)."""
    if not any(s.from_alerts for s in found):
        return None
    parts = [f"{s.name} {s.from_alerts} of {s.set}" for s in found if s.set]
    return ":rotating_light: Milestones from alerts: " + ", ".join(parts) + "; the rest were typed."
