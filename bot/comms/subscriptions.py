"""Subscriptions: who gets a direct message when an incident has an update, its severity
changes or it is resolved. Use cases take a Session and never commit; the messages are outbox
rows recorded with the change (`record`) and sent from the record (`send_notice`), so a Slack
outage delays them and a lost answer or a second replica never doubles them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import IncidentError
from bot.incidents import lifecycle as incidents
from bot.incidents.membership import Membership
from bot.models import Incident, Outbox, Subscription, TimelineEntry
from bot.outbox import store
from bot.outbox.delivery import Moot
from bot.slack.blocks import clip
from bot.wiring import Deps


def subscribe(session: Session, incident: Incident, *, user: str, now: datetime) -> Subscription:
    """Subscribe `user` (whose right to see the incident the caller has checked)."""
    if not incident.is_open:
        raise IncidentError(
            f"Incident {incident.number} is resolved: there is nothing more to tell."
        )
    if is_subscribed(session, incident, user):
        raise IncidentError(f"You are already subscribed to incident {incident.number}.")
    subscription = Subscription(incident_id=incident.id, user_id=user, created_at=now)
    session.add(subscription)
    session.flush()
    return subscription


def subscribed_line(number: int) -> str:
    """What a new subscriber is told."""
    return (
        f"Subscribed to incident {number}: you'll get a direct message on each update, when "
        f"its severity changes and when it is resolved. `/incident unsubscribe {number}` "
        "stops them."
    )


def unsubscribe(session: Session, incident: Incident, *, user: str) -> None:
    """Stop telling `user` about the incident."""
    gone = session.execute(
        delete(Subscription).where(
            Subscription.incident_id == incident.id, Subscription.user_id == user
        )
    ).rowcount
    if not gone:
        raise IncidentError(f"You are not subscribed to incident {incident.number}.")


def is_subscribed(session: Session, incident: Incident, user: str) -> bool:
    found = session.scalar(
        select(Subscription.id).where(
            Subscription.incident_id == incident.id, Subscription.user_id == user
        )
    )
    return found is not None


def subscribers(session: Session, incident_id: int) -> list[str]:
    """Who subscribed, in the order they did."""
    return list(
        session.scalars(
            select(Subscription.user_id)
            .where(Subscription.incident_id == incident_id)
            .order_by(Subscription.id)
        )
    )


def notice(incident: Incident, entry: TimelineEntry) -> str | None:
    """The direct message a change is worth to subscribers, or None (only updates, severity
    changes and the resolution are)."""
    where = f"<#{incident.channel_id}>"
    if entry.kind == "update":
        return (
            f":mega: Incident {incident.number} ({where}) update by <@{entry.author}>: "
            f"{clip(entry.text, 2500)}"
        )
    if entry.kind == "severity":
        return (
            f":rotating_light: Incident {incident.number} ({where}) {entry.text.lower()} "
            f"by <@{entry.author}>: *{incident.title}*"
        )
    if entry.kind == "milestone" and entry.text == incidents.milestone_text("resolved"):
        line = (
            f":white_check_mark: Incident {incident.number} ({where}) resolved: *{incident.title}*"
        )
        return line + (
            f"\n*Resolution:* {clip(incident.resolution, 2000)}" if incident.resolution else ""
        )
    return None


def record(session: Session, incident: Incident, entry: TimelineEntry, now: datetime) -> list[str]:
    """Queue the subscribers' direct messages about a change, in the change's transaction
    (not to its author). Returns their lanes (the people to be told), to kick delivery."""
    if notice(incident, entry) is None:
        return []
    session.flush()  # the entry's id
    rows = [
        store.row(
            "tell",
            f"tell:{entry.id}:{user}",
            user,
            {"incident": incident.id, "entry": entry.id, "user": user},
            now,
        )
        for user in subscribers(session, incident.id)
        if user != entry.author
    ]
    store.enqueue(session, rows)
    return [r["channel"] for r in rows]


def send_notice(deps: Deps, row: Outbox, now: datetime) -> str:
    """DM one subscriber about one change (the outbox sender of kind `tell`); of a private
    incident only while Slack still lists them as a member."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, p["incident"])
        entry = session.get(TimelineEntry, p["entry"])
        if incident is None or entry is None or entry.removed:
            raise Moot("change gone")
        if not is_subscribed(session, incident, p["user"]):
            raise Moot("unsubscribed")
        text = notice(incident, entry)
    if text is None:
        raise Moot("nothing to tell")
    if incident.private and not Membership(deps).is_member(incident, p["user"]):
        raise Moot("left the private channel: no longer theirs to know")
    deps.notifier.dm(p["user"], text)
    return f"told {p['user']} of incident {incident.number}"
