"""What alerts add to an incident (use cases: Session + now, never commit): timeline entries
of kind `alert`, milestones that say their source, and the state of the alert summary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.alerts.wording import Transition, notice_text, source_name
from bot.errors import IncidentError
from bot.incidents import lifecycle
from bot.incidents.guided import record_trigger
from bot.models import Alert, AlertGroup, AlertSummary, Incident, TimelineEntry


def summary_for(session: Session, incident_id: int, now: datetime) -> AlertSummary:
    """The incident's alert summary row, created the first time (locked for this change)."""
    found = session.scalar(
        select(AlertSummary).where(AlertSummary.incident_id == incident_id).with_for_update()
    )
    if found is not None:
        return found
    try:
        with session.begin_nested():  # two first alerts at once: one insert wins
            session.add(AlertSummary(incident_id=incident_id, sync_due_at=now, all_resolved=False))
    except IntegrityError:
        pass  # the other one created it: use theirs
    return session.scalars(
        select(AlertSummary).where(AlertSummary.incident_id == incident_id).with_for_update()
    ).one()


def firing_count(session: Session, incident_id: int) -> int:
    """Alerts still firing across every group attached to the incident."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(Alert)
            .join(AlertGroup, Alert.group_id == AlertGroup.id)
            .where(AlertGroup.incident_id == incident_id, Alert.status == "firing")
        )
        or 0
    )


def touch_summary(session: Session, incident_id: int, now: datetime) -> AlertSummary:
    """Mark the summary for redrawing; when every alert has just resolved, a notice is due."""
    summary = summary_for(session, incident_id, now)
    resolved = firing_count(session, incident_id) == 0
    if resolved and not summary.all_resolved:
        summary.notice_due = True
    elif not resolved:
        summary.notice_due = False
    summary.all_resolved = resolved
    summary.version += 1
    summary.needs_sync = True
    return summary


def add_notices(
    session: Session, incident: Incident, source: str, changes: Sequence[Transition], now: datetime
) -> None:
    """One timeline entry of kind `alert` per alert that fired or resolved; a firing one is
    an occurrence of the workflows' `alert` trigger (with its labels for their conditions)."""
    for change in changes:
        entry = lifecycle.add_entry(
            session,
            incident,
            at=change.at,
            kind="alert",
            text=notice_text(change, source),
            author=None,
            now=now,
            source=source[:20],
            permalink=change.url,
        )
        if change.status == "firing":
            session.flush()
            occurrence = f"entry:{entry.id}"
            labels = dict(change.labels)
            record_trigger(session, incident, "alert", occurrence, now, labels=labels)


def alert_milestone(
    session: Session,
    incident: Incident,
    *,
    name: str,
    at: datetime,
    source: str,
    how: str,
    now: datetime,
    author: str | None = None,
) -> TimelineEntry | None:
    """Set a milestone from alert evidence, unless people already set it or it would break
    the milestone order; its timeline entry says where the time came from."""
    if incident.milestone(name) is not None:
        return None
    try:
        entry = lifecycle.set_milestone(
            session, incident, now=now, user=author or "", name=name, at=at
        )
    except IncidentError:
        return None  # e.g. typed milestones that disagree: people's word stands
    entry.text = f"{entry.text} — {how}"
    entry.source = source[:20]
    entry.author = author
    return entry


def feed_incident(
    session: Session,
    incident_id: int,
    source: str,
    changes: Sequence[Transition],
    ack: tuple[Any, Any],
    now: datetime,
) -> None:
    """A notification for a group attached to an incident: notices, pager ack, summary."""
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        return
    add_notices(session, incident, source, changes, now)
    ack_at, ack_by = ack
    if ack_at is not None:
        who = f" by {ack_by}" if ack_by else ""
        alert_milestone(
            session,
            incident,
            name="acknowledged",
            at=ack_at,
            source=source,
            how=f"acknowledged in {source_name(source)}{who}",
            now=now,
        )
    if changes or ack_at is not None:
        touch_summary(session, incident_id, now)


def backfill(session: Session, incident: Incident, group: AlertGroup, now: datetime) -> None:
    """A group newly attached: its alerts so far become timeline entries, once each."""
    alerts = session.scalars(
        select(Alert).where(Alert.group_id == group.id).order_by(Alert.starts_at, Alert.id)
    ).all()
    changes: list[Transition] = []
    for alert in alerts:
        changes.append(Transition(alert.name, "firing", alert.starts_at, alert.labels, alert.url))
        if alert.status == "resolved":
            at = alert.ends_at or alert.event_at
            changes.append(Transition(alert.name, "resolved", at, alert.labels, alert.url))
    add_notices(session, incident, group.source, changes, now)


def mark_group_synced_elsewhere(session: Session, group_id: int) -> None:
    """The group's triage message must be redrawn (it now names its incident)."""
    session.execute(
        update(AlertGroup)
        .where(AlertGroup.id == group_id)
        .values(version=AlertGroup.version + 1, needs_sync=True)
    )
