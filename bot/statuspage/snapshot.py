"""What the status page shows, read from the public tables only (plus each incident's
`private` flag, as a second lock: a private incident never shows even if a row exists)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

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
    all_incidents: list[PublicIncident] = field(default_factory=list)

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


def version(session: Session) -> tuple[int, int]:
    """Changes whenever anything public changes (every change adds an update): the cache key."""
    latest, count = session.execute(select(func.max(StatusUpdate.id), func.count())).one()
    return int(latest or 0), int(count)


def _public(row: StatusIncident) -> PublicIncident:
    return PublicIncident(
        id=row.public_id,
        title=row.title,
        created_at=row.created_at,
        resolved_at=row.resolved_at,
        components=tuple((c["name"], c["impact"]) for c in row.components or []),
        updates=tuple(PublicUpdate(u.public_id, u.at, u.status, u.body) for u in row.updates),
    )


def _query(session: Session):  # type: ignore[no-untyped-def]
    return (
        select(StatusIncident)
        .join(Incident, Incident.id == StatusIncident.incident_id)
        .where(Incident.private.is_(False))
        .where(
            select(StatusUpdate.id)
            .where(StatusUpdate.status_incident_id == StatusIncident.id)
            .exists()
        )
        .options(selectinload(StatusIncident.updates))
    )


def take(session: Session, catalogue: Catalogue, now: datetime) -> Snapshot:
    """The page as of `now`: ongoing public incidents and those resolved in the last 14 days."""
    ongoing = [
        _public(r)
        for r in session.scalars(
            _query(session)
            .where(StatusIncident.resolved_at.is_(None))
            .order_by(StatusIncident.created_at.desc(), StatusIncident.id.desc())
        )
    ]
    resolved = [
        _public(r)
        for r in session.scalars(
            _query(session)
            .where(StatusIncident.resolved_at >= now - HISTORY)
            .order_by(StatusIncident.resolved_at.desc(), StatusIncident.id.desc())
        )
    ]
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
                updated_at=max(changed, catalogue.changed_at),
            )
        )
    return out


def one(session: Session, public_id: str) -> PublicIncident | None:
    """One public incident by its public id (any age), or None."""
    row = session.scalar(_query(session).where(StatusIncident.public_id == public_id))
    return None if row is None else _public(row)
