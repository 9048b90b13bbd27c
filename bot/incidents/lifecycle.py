"""Incident use cases: take a Session and an explicit `now`, return domain objects, never commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.errors import IncidentError, NotFound
from bot.incidents.rules import (
    Duration,
    MilestoneTimes,
    check_milestone_order,
    durations,
    explained_durations,
)
from bot.models import MILESTONES, TITLE_MAX, Counter, Incident, RoleAssignment, TimelineEntry
from bot.parsing import check_text


def claim_number(session: Session) -> int:
    """Atomically claim the next incident number (like a sequence: gaps are allowed)."""
    for _ in range(2):
        bumped = session.execute(
            update(Counter)
            .where(Counter.name == "incident")
            .values(value=Counter.value + 1)
            .returning(Counter.value)
        ).scalar_one_or_none()
        if bumped is not None:
            return bumped
        highest = session.scalar(select(Incident.number).order_by(Incident.number.desc()).limit(1))
        try:
            with session.begin_nested():  # two first-ever declares: one insert wins
                session.add(Counter(name="incident", value=(highest or 0) + 1))
            return (highest or 0) + 1
        except IntegrityError:
            continue  # the other one created the counter: bump it instead
    raise RuntimeError("could not claim an incident number")


def add_entry(
    session: Session,
    incident: Incident,
    *,
    at: datetime,
    kind: str,
    text: str,
    author: str | None,
    now: datetime,
    **extra: object,
) -> TimelineEntry:
    """Append one entry to the incident's timeline and mark the incident active."""
    entry = TimelineEntry(
        incident=incident, at=at, kind=kind, text=text, author=author, created_at=now, **extra
    )
    session.add(entry)
    incident.last_activity_at = max(incident.last_activity_at, now)
    return entry


def declare(
    session: Session,
    *,
    now: datetime,
    number: int,
    title: str,
    severity: str,
    private: bool,
    channel_id: str | None,
    channel_name: str,
    declared_by: str,
    incident_type: str | None = None,
    fields: dict[str, object] | None = None,
) -> Incident:
    """Record a declared incident (its channel recorded now, or once Slack made it);
    the declarer commands."""
    incident = Incident(
        number=number,
        type=incident_type,
        fields=dict(fields or {}),
        title=check_text(title, "title", TITLE_MAX),
        severity=severity,
        status="investigating",
        private=private,
        channel_id=channel_id,
        channel_name=channel_name,
        commander=declared_by,
        declared_by=declared_by,
        declared_at=now,
        last_activity_at=now,
        members=[declared_by],
    )
    refresh_durations(incident)
    session.add(incident)
    session.add(
        RoleAssignment(
            incident=incident,
            role="commander",
            user_id=declared_by,
            assigned_at=now,
            assigned_by=declared_by,
        )
    )
    add_entry(
        session,
        incident,
        at=now,
        kind="milestone",
        text=f"{milestone_text('declared')} ({severity}): {incident.title}",
        author=declared_by,
        now=now,
    )
    session.flush()
    return incident


def for_channel(session: Session, channel_id: str) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.channel_id == channel_id))


def require_for_channel(session: Session, channel_id: str, usage: str) -> Incident:
    """The incident whose channel this is, locked for the change about to be made."""
    incident = session.scalar(
        select(Incident).where(Incident.channel_id == channel_id).with_for_update()
    )
    if incident is None:
        raise not_an_incident_channel(usage)
    return incident


def not_an_incident_channel(usage: str) -> IncidentError:
    """The refusal of an incident subcommand (or button) used outside an incident channel."""
    return IncidentError(
        f"This only works in an incident channel. Run it there: `{usage}`; "
        "`/incident list` shows open incidents."
    )


def by_number(session: Session, number: int) -> Incident:
    incident = session.scalar(select(Incident).where(Incident.number == number))
    if incident is None:
        raise no_such_incident(number)
    return incident


def no_such_incident(number: int) -> NotFound:
    """What someone is told of an incident that doesn't exist or that they may not see."""
    return NotFound(f"There is no incident {number}.")


def can_see(incident: Incident, user: str) -> bool:
    """For lists: anyone sees a public incident; a private one, the members last recorded."""
    return not incident.private or user in (incident.members or [])


def add_member(incident: Incident, user: str) -> None:
    """Mirror a membership Slack told us of (or that the bot's own invitation made)."""
    if user not in (incident.members or []):
        incident.members = [*(incident.members or []), user]


def record_note(
    session: Session, incident: Incident, *, now: datetime, at: datetime, user: str, text: str
) -> TimelineEntry:
    text = check_text(text, "note")
    return add_entry(session, incident, at=at, kind="note", text=text, author=user, now=now)


def record_decision(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    at: datetime,
    user: str,
    text: str,
    rationale: str | None = None,
    alternatives: str | None = None,
    decided_by: str | None = None,
) -> TimelineEntry:
    """A decision is first-class: what, why, the alternatives and who decided."""
    text = check_text(text, "decision")
    return add_entry(
        session,
        incident,
        at=at,
        kind="decision",
        text=text,
        author=user,
        now=now,
        rationale=check_text(rationale, "reason") if rationale else None,
        alternatives=check_text(alternatives, "alternatives") if alternatives else None,
        decided_by=decided_by or user,
    )


def change_state(
    session: Session, incident: Incident, *, now: datetime, user: str, field: str, value: str
) -> TimelineEntry:
    """Change the severity or the status (`field`); resolving goes through its milestone."""
    if field == "status" and value == "resolved":
        return set_milestone(session, incident, now=now, user=user, name="resolved", at=now)
    if field == "status" and not incident.is_open:
        raise IncidentError(f"Incident {incident.number} is resolved; its status can't change.")
    old = getattr(incident, field)
    if old == value:
        raise IncidentError(f"Incident {incident.number} is already {value}.")
    setattr(incident, field, value)
    text = f"{field.capitalize()} changed from {old} to {value}"
    return add_entry(session, incident, at=now, kind=field, text=text, author=user, now=now)


def assign_role(
    session: Session, incident: Incident, *, now: datetime, user: str, role: str, assignee: str
) -> TimelineEntry:
    current = session.scalar(
        select(RoleAssignment).where(
            RoleAssignment.incident_id == incident.id, RoleAssignment.role == role
        )
    )
    if current is not None and current.user_id == assignee:
        raise IncidentError(f"<@{assignee}> is already {role}.")
    if current is None:
        session.add(
            RoleAssignment(
                incident=incident, role=role, user_id=assignee, assigned_at=now, assigned_by=user
            )
        )
    else:
        current.user_id, current.assigned_at, current.assigned_by = assignee, now, user
    if role == "commander":
        incident.commander = assignee
    add_member(incident, assignee)
    text = f"<@{assignee}> is now {role}"
    return add_entry(session, incident, at=now, kind="role", text=text, author=user, now=now)


def milestone_times(incident: Incident) -> MilestoneTimes:
    return MilestoneTimes(
        started=incident.started_at,
        detected=incident.detected_at,
        declared=incident.declared_at,
        acknowledged=incident.acknowledged_at,
        mitigated=incident.mitigated_at,
        resolved=incident.resolved_at,
    )


def incident_durations(incident: Incident) -> dict[str, int | None]:
    """SPEC's four durations in seconds (bot.policy.durations) from the incident's milestones."""
    return durations(milestone_times(incident))


def explained(incident: Incident) -> list[Duration]:
    """The four durations, each saying whether its start was recorded (for what people read)."""
    return explained_durations(milestone_times(incident))


def refresh_durations(incident: Incident) -> None:
    """Store the durations on the incident (for SQL aggregation) after a milestone change."""
    for name, seconds in incident_durations(incident).items():
        setattr(incident, name, seconds)


def milestone_text(name: str) -> str:
    """The text of the timeline entry a milestone leaves (how that entry is found again)."""
    return "Incident declared" if name == "declared" else f"Marked {name}"


def set_milestone(
    session: Session, incident: Incident, *, now: datetime, user: str, name: str, at: datetime
) -> TimelineEntry:
    """Set a milestone, keeping the order rule; `resolved` also closes the incident."""
    if name not in MILESTONES:
        raise IncidentError(f"`{name}` is not a milestone: {', '.join(MILESTONES)}.")
    if name == "resolved" and not incident.is_open:
        raise IncidentError(f"Incident {incident.number} is already resolved.")
    check_milestone_order(milestone_times(incident), name, at)
    setattr(incident, f"{name}_at", at)
    refresh_durations(incident)
    if name == "resolved":
        incident.status = "resolved"
    elif name == "mitigated" and incident.status in ("investigating", "identified"):
        incident.status = "monitoring"  # the topic and card never disagree with milestones
    text = milestone_text(name)
    return add_entry(session, incident, at=at, kind="milestone", text=text, author=user, now=now)


def open_incidents(session: Session, viewer: str) -> list[Incident]:
    """Open incidents this person may see, most severe and then oldest first."""
    rows = session.scalars(
        select(Incident)
        .where(Incident.resolved_at.is_(None))
        .order_by(Incident.severity, Incident.declared_at)
    ).all()
    return [i for i in rows if can_see(i, viewer)]
