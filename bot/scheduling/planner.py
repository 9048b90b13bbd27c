"""Planning: turn the state of items and incidents into outbox rows, idempotently."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.clock import iso_week
from bot.config import Settings, parse_schedule
from bot.models import (
    SEVERITIES,
    ActionItem,
    Incident,
    IncidentUpdate,
    Outbox,
    Person,
    RoleAssignment,
    TimelineEntry,
)
from bot.outbox.store import enqueue, row
from bot.overview.digest import build_report
from bot.overview.digest_delivery import render_parts
from bot.scheduling import cadence
from bot.slack.people import zone_named


def plan_all(session: Session, settings: Settings, now: datetime) -> int:
    """Every reminder, nudge and digest due at `now`; returns how many rows were new."""
    return (
        plan_reminders(session, settings, now)
        + plan_nudges(session, settings, now)
        + plan_update_reminders(session, settings, now)
        + plan_digest(session, settings, now)
    )


def plan_reminders(session: Session, settings: Settings, now: datetime) -> int:
    """Before-due and overdue DMs for owners, at 09:00 in each owner's zone (as Slack last
    told us; INCIDENT_TIMEZONE when it never did); assign-an-owner DMs for commanders."""
    before = settings.INCIDENT_REMINDER_BEFORE
    every = settings.INCIDENT_REMINDER_OVERDUE_EVERY
    query = (
        select(
            ActionItem.id,
            ActionItem.owner,
            ActionItem.due,
            ActionItem.created_at,
            Incident.commander,
            Incident.channel_id,
            Person.tz,
        )
        .outerjoin(Incident, ActionItem.incident_id == Incident.id)
        .outerjoin(Person, ActionItem.owner == Person.id)
        .where(
            ActionItem.status == "open",
            or_(
                ActionItem.due <= cadence.horizon(now, before),
                and_(
                    ActionItem.due.is_(None),
                    ActionItem.owner.is_(None),
                    ActionItem.created_at <= now - timedelta(seconds=before),
                ),
            ),
        )
    )
    rows: list[dict[str, Any]] = []
    for item_id, owner, due, created_at, commander, channel, tz in session.execute(query):
        plan = cadence.reminder_due(
            due=due,
            has_owner=owner is not None,
            created_at=created_at,
            now=now,
            zone=zone_named(tz) or settings.zone,
            before=before,
            overdue_every=every,
        )
        recipient = owner or commander
        if plan is None or recipient is None:
            continue
        stage = plan.stage if owner else f"assign-{plan.stage}"
        payload = {
            "item": item_id,
            "recipient": recipient,
            "stage": stage,
            "channel": channel,
            "due": due.isoformat() if due else None,
        }
        key = f"reminder:{item_id}:{recipient}:{plan.suffix}"
        rows.append(row("reminder", key, recipient, payload, plan.due_at))
    return enqueue(session, rows)


def nudge_intervals(settings: Settings) -> dict[str, int]:
    return {sev: getattr(settings, f"INCIDENT_NUDGE_{sev.upper()}") for sev in SEVERITIES}


def plan_nudges(session: Session, settings: Settings, now: datetime) -> int:
    """A quiet open incident asks its commander for an update; an unowned one, for an owner."""
    intervals = nudge_intervals(settings)
    unowned = settings.INCIDENT_NUDGE_UNOWNED
    incidents = session.execute(
        select(
            Incident.id,
            Incident.severity,
            Incident.last_activity_at,
            Incident.declared_at,
            Incident.channel_id,
            Incident.started_at,
            Incident.detected_at,
            Incident.acknowledged_at,
            Incident.mitigated_at,
        ).where(Incident.resolved_at.is_(None))
    ).all()
    rows: list[dict[str, Any]] = []
    for inc in incidents:
        interval = intervals.get(inc.severity, 0)
        if interval and now - inc.last_activity_at >= timedelta(seconds=interval):
            stamp = inc.last_activity_at.isoformat()
            payload = {"incident": inc.id, "reason": "quiet", "last_activity": stamp}
            due_at = inc.last_activity_at + timedelta(seconds=interval)
            rows.append(row("nudge", f"nudge:{inc.id}:{stamp}", inc.channel_id, payload, due_at))
    if unowned:
        candidates = {
            inc.id: inc
            for inc in incidents
            if now - inc.declared_at >= timedelta(seconds=unowned)
            and not any((inc.started_at, inc.detected_at, inc.acknowledged_at, inc.mitigated_at))
        }
        for inc_id in candidates.keys() - owned(session, list(candidates)):
            inc = candidates[inc_id]
            payload = {"incident": inc.id, "reason": "unowned"}
            due_at = inc.declared_at + timedelta(seconds=unowned)
            rows.append(row("nudge", f"nudge:{inc.id}:unowned", inc.channel_id, payload, due_at))
    return enqueue(session, rows)


def plan_update_reminders(session: Session, settings: Settings, now: datetime) -> int:
    """One reminder per quiet spell to post a stakeholder update, to the comms lead (else the
    commander), once INCIDENT_UPDATE_EVERY_<sev> passed since the last update (or the
    declaration), or at the "next update in" its author promised."""
    every = {s: getattr(settings, f"INCIDENT_UPDATE_EVERY_{s.upper()}") for s in SEVERITIES}
    latest = (
        select(IncidentUpdate.id)
        .where(IncidentUpdate.incident_id == Incident.id)
        .order_by(IncidentUpdate.at.desc(), IncidentUpdate.id.desc())
        .limit(1)
        .correlate(Incident)
        .scalar_subquery()
    )
    comms = (
        select(RoleAssignment.user_id)
        .where(RoleAssignment.incident_id == Incident.id, RoleAssignment.role == "comms")
        .limit(1)
        .correlate(Incident)
        .scalar_subquery()
    )
    found = session.execute(
        select(
            Incident.id,
            Incident.severity,
            Incident.declared_at,
            Incident.commander,
            comms.label("comms"),
            IncidentUpdate.id.label("last"),
            IncidentUpdate.at,
            IncidentUpdate.next_update_at,
        )
        .outerjoin(IncidentUpdate, IncidentUpdate.id == latest)
        .where(Incident.resolved_at.is_(None))
    ).all()
    rows: list[dict[str, Any]] = []
    for inc in found:
        due_at = cadence.update_due(
            declared=inc.declared_at,
            last=inc.at,
            promised=inc.next_update_at,
            every=every.get(inc.severity, 0),
        )
        recipient = inc.comms or inc.commander
        if due_at is None or now < due_at or recipient is None:
            continue
        payload = {"incident": inc.id, "last": inc.last, "recipient": recipient}
        key = f"update-due:{inc.id}:{inc.last or 'none'}:{recipient}"
        rows.append(row("update_due", key, recipient, payload, due_at))
    return enqueue(session, rows)


def owned(session: Session, incident_ids: list[int]) -> set[int]:
    """Incidents whose roles changed since they were declared."""
    if not incident_ids:
        return set()
    return set(
        session.scalars(
            select(TimelineEntry.incident_id).where(
                TimelineEntry.incident_id.in_(incident_ids), TimelineEntry.kind == "role"
            )
        )
    )


def plan_digest(session: Session, settings: Settings, now: datetime) -> int:
    """This week's digest, once per channel, from its scheduled moment until a day later."""
    channel = settings.digest_channel
    if not channel:
        return 0
    day, at = parse_schedule(settings.INCIDENT_DIGEST_SCHEDULE)
    moment = cadence.digest_moment(now, settings.zone, day, at)
    if not moment <= now < moment + cadence.DIGEST_CATCH_UP:
        return 0
    key = f"digest:{channel}:{iso_week(moment, settings.zone)}"
    if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)) is not None:
        return 0
    report = build_report(session, settings.zone, now=now, week_end=moment)
    payload = {"parts": render_parts(session, report), "sent_parts": 0, "week": report.week}
    return enqueue(session, [row("digest", key, channel, payload, moment)])
