"""Announcements must not be lost: recorded in the outbox with the change, sent from the record.

The delivery worker sends one as soon as the announce channel's limits allow; if Slack fails,
it is retried (the scheduler's sweep is the backstop) like any outbox row; a post whose answer
was lost is looked for in the channel before it is made again.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import SlackFailure
from bot.incidents import messages
from bot.models import Incident, Outbox
from bot.outbox import store
from bot.slack.port import hint
from bot.wiring import Deps

log = logging.getLogger(__name__)


def key(incident: Incident, event: str) -> str:
    """The outbox dedupe key of one announcement: one per incident and event."""
    return f"announce:{incident.id}:{event}"


def record(session: Session, incident: Incident, event: str, by: str, now: datetime) -> None:
    """Queue the announcement of `event` in the same transaction as the change itself."""
    channel = incident.announce_channel
    if not channel:
        return
    payload = {"incident": incident.id, "event": event, "by": by}
    store.enqueue(session, [store.row("announce", key(incident, event), channel, payload, now)])


def send_announcement(deps: Deps, row: Outbox, now: datetime) -> str:
    """Deliver one recorded announcement (the outbox sender of kind `announce`)."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, p["incident"])
        if incident is None:
            return f"announcement of a deleted incident {p['incident']} skipped"
        if p["event"] == "declared":
            text, body = messages.announcement(incident, p["by"])
        else:
            text, body = messages.resolution_announcement(incident)
    ts = deps.notifier.post(row.channel or "", text, body)
    if p["event"] == "declared":
        with deps.db.unit_of_work() as session:
            stored = session.get(Incident, p["incident"])
            if stored is not None:
                stored.announce_ts = ts
    return f"announcement: incident {incident.number} {p['event']}"


def report_failed(deps: Deps, row: Outbox, code: str) -> None:
    """Slack refused an announcement for good: say so in the incident channel."""
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, row.payload["incident"])
        channel = incident.channel_id if incident is not None else None
    if not channel:
        return
    line = f":warning: The announcement in <#{row.channel}> failed: {hint(code)}."
    try:
        deps.notifier.post(channel, line)
    except SlackFailure:
        log.warning("could not report the failed announcement %s either", row.dedupe_key)
