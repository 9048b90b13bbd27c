"""Use cases of the public side: the first public update (with its public title and
components), later ones, and the final "Resolved" one. They take a Session and `now` and never
commit; each returns the timeline entry that tells the channel what was made public."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.comms.updates import record_update
from bot.errors import IncidentError
from bot.models import Incident, TimelineEntry
from bot.status_models import StatusIncident, StatusUpdate
from bot.statuspage import changes
from bot.statuspage.rules import (
    IMPACTS,
    RESOLVED_TEXT,
    check_public_text,
    check_public_title,
    public_id,
)

ONGOING_STATUSES = ("investigating", "identified", "monitoring")


@dataclass(frozen=True)
class Affected:
    """A component named in the confirmation, with its impact."""

    name: str
    impact: str


def public_side(session: Session, incident: Incident) -> StatusIncident | None:
    """The incident as the status page shows it; None until its first public update."""
    return session.scalar(select(StatusIncident).where(StatusIncident.incident_id == incident.id))


def refuse_private(incident: Incident) -> None:
    """A private incident is never published, even by a typo; a resolved one takes no more
    public updates (its last one said it was resolved)."""
    if incident.private:
        raise IncidentError(
            f"Incident {incident.number} is private: nothing about it is published on the "
            "status page. Nothing was published."
        )
    if not incident.is_open:
        raise IncidentError(
            f"Incident {incident.number} is resolved: it takes no more public updates. "
            "Nothing was published."
        )


def open_public(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: str,
    title: str,
    affected: list[Affected],
    text: str,
    known: list[str],
) -> TimelineEntry:
    """The confirmed first public update: the public side of the incident and its update.
    If someone confirmed one meanwhile, this becomes a later update (their title stands)."""
    refuse_private(incident)
    if public_side(session, incident) is not None:
        return publish(session, incident, now=now, user=user, text=text)
    for item in affected:
        if item.name not in known or item.impact not in IMPACTS:
            raise IncidentError(f"`{item.name}` ({item.impact}) is not a configured component.")
    public = StatusIncident(
        incident_id=incident.id,
        public_id=public_id(),
        title=check_public_title(title),
        components=[{"name": a.name, "impact": a.impact} for a in affected],
        created_at=now,
    )
    session.add(public)
    return _update(session, incident, public, now=now, user=user, text=text)


def publish(
    session: Session, incident: Incident, *, now: datetime, user: str, text: str
) -> TimelineEntry:
    """A later public update of an incident already on the status page."""
    refuse_private(incident)
    public = public_side(session, incident)
    if public is None:
        raise IncidentError("The first public update needs its confirmation: run it again.")
    return _update(session, incident, public, now=now, user=user, text=text)


def offer(session: Session, incident: Incident, enabled: bool) -> str | None:
    """What the update modal offers: "later" (publish this one too), "first" (how to: the
    first public update is typed, then confirmed) or None (no status page, private, closed)."""
    if not enabled or incident.private or not incident.is_open:
        return None
    return "later" if public_side(session, incident) is not None else "first"


def add_public(session: Session, incident: Incident, *, now: datetime, text: str) -> str:
    """The status page's copy of an update of an incident already public (the stakeholder
    update itself is the caller's); returns the text as published."""
    refuse_private(incident)
    public = public_side(session, incident)
    if public is None:
        raise IncidentError("The first public update needs its confirmation: run it again.")
    return _add(session, incident, public, now=now, text=text)


def _add(
    session: Session, incident: Incident, public: StatusIncident, *, now: datetime, text: str
) -> str:
    body = check_public_text(text)
    changes.after_commit(session)
    status = incident.status if incident.status in ONGOING_STATUSES else "investigating"
    session.add(
        StatusUpdate(incident=public, public_id=uuid.uuid4().hex, at=now, status=status, body=body)
    )
    return body


def _update(
    session: Session,
    incident: Incident,
    public: StatusIncident,
    *,
    now: datetime,
    user: str,
    text: str,
) -> TimelineEntry:
    body = _add(session, incident, public, now=now, text=text)
    # The same words are the stakeholder update: posted in the channel, under the
    # announcement and to the subscribers (one message in the channel, not two).
    return record_update(session, incident, now=now, user=user, text=body, public=True)


def resolve(session: Session, incident: Incident, *, now: datetime) -> StatusUpdate | None:
    """On resolution: the final public "Resolved" update, when the incident is public."""
    public = public_side(session, incident)
    if public is None or public.resolved_at is not None or incident.private:
        return None
    public.resolved_at = now
    changes.after_commit(session)
    update = StatusUpdate(
        incident=public, public_id=uuid.uuid4().hex, at=now, status="resolved", body=RESOLVED_TEXT
    )
    session.add(update)
    return update
