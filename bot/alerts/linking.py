"""Alert groups and incidents (use cases: Session + now, never commit): the press of a
button, the claim that keeps a group to one incident, linking with milestones, ignoring."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.alert_models import TRIAGE_SOURCE
from bot.alerts.incident_feed import alert_milestone, backfill, touch_summary
from bot.alerts.wording import source_name
from bot.errors import IncidentError, NotFound
from bot.models import AlertGroup, Incident

LINK_CLAIM_TIMEOUT = timedelta(minutes=5)  # a declare that died this long ago is abandoned


def group_for_update(session: Session, group_id: int) -> AlertGroup:
    group = session.get(AlertGroup, group_id, with_for_update=True)
    if group is None:
        raise NotFound("That alert group no longer exists.")
    return group


def refuse_if_linked(session: Session, group: AlertGroup) -> None:
    """One group, at most one incident: say which one it already has."""
    if group.incident_id is None:
        return
    incident = session.get(Incident, group.incident_id)
    number = f" {incident.number}" if incident is not None and not incident.private else ""
    raise IncidentError(f"These alerts are already attached to incident{number}.")


def press(session: Session, group_id: int, user: str, now: datetime) -> AlertGroup:
    """Someone pressed Declare or Attach: the first press is an acknowledgement."""
    group = group_for_update(session, group_id)
    refuse_if_linked(session, group)
    if group.pressed_at is None:
        group.pressed_at, group.pressed_by = now, user
    return group


def claim(session: Session, group_id: int, worker: str, now: datetime) -> bool:
    """Take the right to give this group its incident (one conditional UPDATE decides)."""
    stale = now - LINK_CLAIM_TIMEOUT
    done = session.execute(
        update(AlertGroup)
        .where(
            AlertGroup.id == group_id,
            AlertGroup.incident_id.is_(None),
            or_(AlertGroup.linking_at.is_(None), AlertGroup.linking_at < stale),
        )
        .values(linking_at=now, linking_by=worker[:64])
    )
    return bool(done.rowcount)


def release(session: Session, group_id: int, worker: str) -> None:
    """Give the claim back (the declare failed before an incident existed)."""
    session.execute(
        update(AlertGroup)
        .where(AlertGroup.id == group_id, AlertGroup.linking_by == worker[:64])
        .values(linking_at=None, linking_by=None)
    )


def link(
    session: Session, group_id: int, incident_id: int, now: datetime, by: str | None = None
) -> AlertGroup:
    """Attach the group to the incident: milestones from the alerts, the alerts so far on the
    timeline, the summary due. `by` pressed a button (an acknowledgement if it was first)."""
    group = group_for_update(session, group_id)
    refuse_if_linked(session, group)
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound("That incident no longer exists.")
    if by is not None and group.pressed_at is None:
        group.pressed_at, group.pressed_by = now, by
    group.incident_id = incident.id
    group.linking_at = group.linking_by = None
    group.version += 1
    group.needs_sync = True
    backfill(session, incident, group, now)
    _milestones(session, incident, group, now)
    touch_summary(session, incident.id, now)
    return group


def _milestones(session: Session, incident: Incident, group: AlertGroup, now: datetime) -> None:
    """started, detected, acknowledged from what the alerts and people did (never over what
    people typed)."""
    name = source_name(group.source)
    alert_milestone(
        session,
        incident,
        name="started",
        at=group.started_at,
        source=group.source,
        how=f"the earliest alert start ({name})",
        now=now,
    )
    alert_milestone(
        session,
        incident,
        name="detected",
        at=group.first_seen_at,
        source=group.source,
        how=f"the first {name} notification arrived",
        now=now,
    )
    pager, pressed = group.pager_ack_at, group.pressed_at
    if pager is not None and (pressed is None or pager <= pressed):
        who = f" by {group.pager_ack_by}" if group.pager_ack_by else ""
        how, source, at, author = f"acknowledged in {name}{who}", group.source, pager, None
    elif pressed is not None:
        how = f"<@{group.pressed_by}> took up the alert in Slack"
        source, at, author = TRIAGE_SOURCE, pressed, group.pressed_by
    else:
        return
    alert_milestone(
        session,
        incident,
        name="acknowledged",
        at=at,
        source=source,
        how=how,
        now=now,
        author=author,
    )


def ignore(session: Session, group_id: int, user: str, now: datetime) -> AlertGroup:
    """Nobody needs to act on these alerts; the message says who decided so."""
    group = group_for_update(session, group_id)
    refuse_if_linked(session, group)
    if group.ignored_at is None:
        group.ignored_at, group.ignored_by = now, user
        group.version += 1
        group.needs_sync = True
    return group


def groups_of(session: Session, incident_id: int) -> list[AlertGroup]:
    return list(
        session.scalars(
            select(AlertGroup).where(AlertGroup.incident_id == incident_id).order_by(AlertGroup.id)
        )
    )
