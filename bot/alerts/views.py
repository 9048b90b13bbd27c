"""Reading what Slack should show (the record, as of one version) for groups and summaries."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.alerts.messages import AlertLine, GroupView, LinkedIncident
from bot.models import Alert, AlertGroup, Incident


def group_view(session: Session, group: AlertGroup) -> GroupView:
    alerts = session.execute(
        select(
            Alert.name, Alert.status, Alert.labels, Alert.starts_at, Alert.ends_at, Alert.url
        ).where(Alert.group_id == group.id)
    ).all()
    linked = None
    if group.incident_id is not None:
        incident = session.get(Incident, group.incident_id)
        if incident is not None:
            linked = LinkedIncident(incident.number, incident.channel_id, incident.private)
    return GroupView(
        id=group.id,
        source=group.source,
        title=group.title,
        status=group.status,
        rule=group.rule,
        labels=dict(group.labels or {}),
        links=list(group.links or []),
        first_seen_at=group.first_seen_at,
        last_seen_at=group.last_seen_at,
        alerts=[AlertLine(*row) for row in alerts],
        incident=linked,
        pressed_by=group.pressed_by,
        ignored_by=group.ignored_by,
        ack_by=group.pager_ack_by if group.pager_ack_at else None,
    )


def incident_groups(session: Session, incident_id: int) -> list[GroupView]:
    groups = session.scalars(
        select(AlertGroup).where(AlertGroup.incident_id == incident_id).order_by(AlertGroup.id)
    ).all()
    return [group_view(session, g) for g in groups]
