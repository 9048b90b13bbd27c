"""What the status page shows, read from the public tables only (plus each incident's
`private` flag, as a second lock: a private incident never shows even if a row exists)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.models import Incident
from bot.status_models import StatusIncident, StatusUpdate
from bot.statuspage.components import Catalogue
from bot.statuspage.rules import (
    DISRUPTION,
    IMPACT_LABELS,
    INDICATORS,
    OPERATIONAL,
    OVERALL,
    STATUS_LABELS,
    worst,
)

HISTORY = timedelta(days=14)


@dataclass(frozen=True)
class PublicUpdate:
    id: str
    at: datetime
    status: str
    body: str

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status.title())


@dataclass(frozen=True)
class PublicIncident:
    id: str
    title: str
    created_at: datetime
    resolved_at: datetime | None
    components: tuple[tuple[str, str], ...]  # (name, impact)
    updates: tuple[PublicUpdate, ...]  # newest first

    @property
    def impact(self) -> str:
        return worst(i for _, i in self.components)

    @property
    def indicator(self) -> str:
        """Statuspage's incident impact: none, minor, major, critical."""
        return INDICATORS[self.impact] if self.components else "minor"

    @property
    def status(self) -> str:
        return self.updates[0].status

    @property
    def updated_at(self) -> datetime:
        return self.updates[0].at


@dataclass(frozen=True)
class ComponentState:
    id: str
    name: str
    description: str | None
    position: int
    state: str
    created_at: datetime  # when the components file last changed
    updated_at: datetime

    @property
    def label(self) -> str:
        return IMPACT_LABELS[self.state]


@dataclass(frozen=True)
class Snapshot:
    """Everything one rendering needs."""

    components: list[ComponentState]
    ongoing: list[PublicIncident]
    resolved: list[PublicIncident]  # in the last 14 days, newest first
    updated_at: datetime

    @property
    def state(self) -> str:
        return worst(c.state for c in self.components)

    @property
    def indicator(self) -> str:
        if self.state == OPERATIONAL and self.ongoing:
            return "minor"
        return INDICATORS[self.state]

    @property
    def description(self) -> str:
        if self.state == OPERATIONAL and self.ongoing:
            return DISRUPTION
        return OVERALL[self.state]


def version(session: Session) -> int:
    """Changes whenever anything public changes (every change adds an update): the cache key.
    The newest id only, read from the primary key's index (a count would scan the table)."""
    return int(session.scalar(select(func.max(StatusUpdate.id))) or 0)


_INCIDENT_COLUMNS = (
    StatusIncident.id,
    StatusIncident.public_id,
    StatusIncident.title,
    StatusIncident.created_at,
    StatusIncident.resolved_at,
    StatusIncident.components,
)
_UPDATE_COLUMNS = (
    StatusUpdate.status_incident_id,
    StatusUpdate.public_id,
    StatusUpdate.at,
    StatusUpdate.status,
    StatusUpdate.body,
)


def _public_rows(session: Session, *conditions: Any) -> list[PublicIncident]:
    """Public incidents meeting `conditions`, with their updates (newest first); never one
    of a private incident, never one without an update. Plain rows, not ORM objects: this is
    the page's hot path when it is rendered again after a publish."""
    rows = session.execute(
        select(*_INCIDENT_COLUMNS)
        .join(Incident, Incident.id == StatusIncident.incident_id)
        .where(Incident.private.is_(False), *conditions)
    ).all()
    updates: dict[int, list[PublicUpdate]] = {row.id: [] for row in rows}
    for chunk in _chunks(list(updates)):
        for u in session.execute(
            select(*_UPDATE_COLUMNS)
            .where(StatusUpdate.status_incident_id.in_(chunk))
            .order_by(StatusUpdate.at.desc(), StatusUpdate.id.desc())
        ):
            updates[u.status_incident_id].append(PublicUpdate(u.public_id, u.at, u.status, u.body))
    return [
        PublicIncident(
            id=row.public_id,
            title=row.title,
            created_at=row.created_at,
            resolved_at=row.resolved_at,
            components=tuple((c["name"], c["impact"]) for c in row.components or []),
            updates=tuple(updates[row.id]),
        )
        for row in rows
        if updates[row.id]
    ]


def _chunks(ids: list[int], size: int = 500) -> list[list[int]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def take(session: Session, catalogue: Catalogue, now: datetime) -> Snapshot:
    """The page as of `now`: ongoing public incidents and those resolved in the last 14 days."""
    found = _public_rows(
        session,
        or_(StatusIncident.resolved_at.is_(None), StatusIncident.resolved_at >= now - HISTORY),
    )
    ongoing = sorted(
        (i for i in found if i.resolved_at is None), key=lambda i: i.created_at, reverse=True
    )
    resolved = sorted(
        (i for i in found if i.resolved_at is not None),
        key=lambda i: i.resolved_at or i.created_at,
        reverse=True,
    )
    return Snapshot(
        components=_states(catalogue, ongoing, resolved),
        ongoing=ongoing,
        resolved=resolved,
        updated_at=max((i.updated_at for i in ongoing + resolved), default=catalogue.changed_at),
    )


def _states(
    catalogue: Catalogue, ongoing: list[PublicIncident], resolved: list[PublicIncident]
) -> list[ComponentState]:
    out = []
    for position, component in enumerate(catalogue.components, start=1):
        naming = [i for i in ongoing + resolved if component.name in dict(i.components)]
        impacts = [dict(i.components)[component.name] for i in ongoing if i in naming]
        changed = max((i.updated_at for i in naming), default=catalogue.changed_at)
        out.append(
            ComponentState(
                id=component.id,
                name=component.name,
                description=component.description,
                position=position,
                state=worst(impacts),
                created_at=catalogue.changed_at,
                updated_at=max(changed, catalogue.changed_at),
            )
        )
    return out


def one(session: Session, public_id: str) -> PublicIncident | None:
    """One public incident by its public id (any age), or None."""
    found = _public_rows(session, StatusIncident.public_id == public_id)
    return found[0] if found else None
