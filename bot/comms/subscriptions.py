"""Subscriptions: who gets a direct message when an incident's severity changes or it is
resolved. Use cases take a Session and never commit; `tell` runs after the change committed."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.errors import IncidentError, SlackFailure
from bot.incidents import lifecycle as incidents
from bot.incidents.membership import Membership
from bot.models import Incident, Subscription, TimelineEntry
from bot.wiring import Deps

log = logging.getLogger(__name__)


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
    """The direct message a change is worth to subscribers, or None (only severity changes
    and the resolution are)."""
    where = f"<#{incident.channel_id}>"
    if entry.kind == "severity":
        return (
            f":rotating_light: Incident {incident.number} ({where}) {entry.text.lower()} "
            f"by <@{entry.author}>: *{incident.title}*"
        )
    if entry.kind == "milestone" and entry.text == incidents.milestone_text("resolved"):
        return (
            f":white_check_mark: Incident {incident.number} ({where}) resolved: *{incident.title}*"
        )
    return None


def tell(deps: Deps, incident: Incident, entry: TimelineEntry) -> int:
    """DM the subscribers about a committed change (not its author; of a private incident only
    those Slack still lists as members). Returns how many were told; failures are logged."""
    # TODO(delivery branch): once bot/outbox delivers paced DMs, record these as outbox rows
    # in the change's transaction instead, so a Slack outage delays them rather than losing them.
    text = notice(incident, entry)
    if text is None:
        return 0
    with deps.db.unit_of_work() as session:
        users = [u for u in subscribers(session, incident.id) if u != entry.author]
    members = Membership(deps)
    told = 0
    for user in users:
        try:
            if incident.private and not members.is_member(incident, user):
                continue  # left the private channel: no longer theirs to know
            deps.notifier.dm(user, text)
            told += 1
        except SlackFailure:
            log.warning("could not tell subscriber %s of incident %s", user, incident.number)
    return told
