"""What the database says about an incident, as plain redacted data for templates and prompts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.drafting.redact import Redactor
from bot.incidents.lifecycle import incident_durations, milestone_text
from bot.models import MILESTONES, Incident, TimelineEntry

DURATION_LABELS = {
    "time_to_detect": "Time to detect",
    "time_to_acknowledge": "Time to acknowledge",
    "time_to_mitigate": "Time to mitigate",
    "time_to_resolve": "Time to resolve",
}


@dataclass
class Entry:
    id: int
    at: datetime
    kind: str
    text: str
    author: str | None
    rationale: str | None = None
    alternatives: str | None = None
    decided_by: str | None = None
    deleted: bool = False
    permalink: str | None = None


@dataclass
class ActionFact:
    id: int
    text: str
    owner: str | None
    due: date | None
    status: str


@dataclass
class Facts:
    """One incident, detached from the session, every free text already redacted."""

    number: int
    title: str
    severity: str
    status: str
    channel_id: str
    channel_name: str
    private: bool
    commander: str | None
    declared_by: str
    milestones: dict[str, datetime | None]
    durations: dict[str, int | None]
    roles: list[tuple[str, str]]
    timeline: list[Entry]
    action_items: list[ActionFact]
    redactor: Redactor = field(default_factory=Redactor)
    summary: str | None = None  # as people stated it (`/incident summary`), redacted
    impact: str | None = None
    incident_type: str | None = None  # INCIDENT_CONFIG's incident type
    fields: list[tuple[str, str]] = field(default_factory=list)  # custom fields, redacted

    @property
    def entry_ids(self) -> set[int]:
        return {e.id for e in self.timeline}

    @property
    def decisions(self) -> list[Entry]:
        return [e for e in self.timeline if e.kind == "decision"]

    def milestone_entry(self, name: str) -> Entry | None:
        """The latest timeline entry that set this milestone (declared: the declaration)."""
        wanted = milestone_text(name)
        found = [e for e in self.timeline if e.kind == "milestone" and e.text.startswith(wanted)]
        return found[-1] if found else None


def gather(session: Session, incident: Incident, redactor: Redactor) -> Facts:
    """Read everything a postmortem needs, redacting free text on the way out of the database."""
    red = redactor.text
    # Plain column rows, not ORM objects: a 10,000-entry timeline loads several times faster.
    rows = session.execute(
        select(
            TimelineEntry.id,
            TimelineEntry.at,
            TimelineEntry.kind,
            TimelineEntry.text,
            TimelineEntry.author,
            TimelineEntry.rationale,
            TimelineEntry.alternatives,
            TimelineEntry.decided_by,
            TimelineEntry.deleted,
            TimelineEntry.permalink,
        )
        .where(TimelineEntry.incident_id == incident.id, TimelineEntry.removed.is_(False))
        .order_by(TimelineEntry.at, TimelineEntry.id)
    )
    timeline = [
        Entry(
            id=r.id,
            at=r.at,
            kind=r.kind,
            text=red(r.text),
            author=r.author,
            rationale=redactor(r.rationale),
            alternatives=redactor(r.alternatives),
            decided_by=r.decided_by,
            deleted=bool(r.deleted),
            permalink=r.permalink,
        )
        for r in rows
    ]
    times = {"declared": incident.declared_at, **{m: incident.milestone(m) for m in MILESTONES}}
    order = ["started", "detected", "declared", "acknowledged", "mitigated", "resolved"]
    return Facts(
        number=incident.number,
        title=red(incident.title),
        severity=incident.severity,
        status=incident.status,
        channel_id=incident.channel_id,
        channel_name=incident.channel_name,
        private=incident.private,
        commander=incident.commander,
        declared_by=incident.declared_by,
        milestones={name: times[name] for name in order},
        durations=incident_durations(incident),
        roles=sorted((r.role, r.user_id) for r in incident.roles),
        timeline=timeline,
        action_items=[
            ActionFact(id=a.id, text=red(a.text), owner=a.owner, due=a.due, status=a.status)
            for a in incident.action_items
        ],
        redactor=redactor,
        summary=redactor(incident.summary),
        impact=redactor(incident.impact),
        incident_type=incident.type,
        fields=[
            (name, redactor(", ".join(v) if isinstance(v, list) else str(v)) or "")
            for name, v in sorted((incident.fields or {}).items())
        ],
    )
