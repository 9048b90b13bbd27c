"""Announcements must not be lost: recorded in the outbox with the change, sent from the record.

The service sends one at once after its commit; if Slack fails, the scheduler's sweep retries
it like any reminder (same claim, backoff and give-up rules).
"""

from __future__ import annotations

import os
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot.incidents import messages as blocks
from bot.models import Incident, Outbox
from bot.slack.port import SLACK_ERROR_HINTS

if TYPE_CHECKING:  # bot.service imports this module
    from bot.incidents.service import Deps

EVENTS = ("declared", "resolved")


def key(incident: Incident, event: str) -> str:
    return f"announce:{incident.id}:{event}"


def record(session: Session, incident: Incident, event: str, by: str, now: datetime) -> None:
    """Queue the announcement of `event` in the same transaction as the change itself."""
    from bot.outbox import store as outbox

    channel = incident.announce_channel
    if not channel:
        return
    payload = {"incident": incident.id, "event": event, "by": by}
    outbox.enqueue(session, [outbox.row("announce", key(incident, event), channel, payload, now)])


def send_now(deps: Deps, incident: Incident, event: str) -> str | None:
    """Send a recorded announcement at once; None when sent, else why not (it is retried)."""
    from bot.outbox import store as outbox
    from bot.outbox.delivery import Sender, deliver

    now = deps.clock()
    timeout = deps.settings.seconds("INCIDENT_REMINDER_CLAIM_TIMEOUT")
    worker = f"announce-{os.getpid()}"
    row = outbox.claim_key(
        deps.db, key(incident, event), now=now, worker=worker, claim_timeout=timeout
    )
    if row is None or deliver(deps, Sender(deps, now), row, now) is not None:
        return None
    with deps.db.unit_of_work() as session:
        stored = session.get(Outbox, row.id)
        code = (stored.last_error if stored else None) or "error"
        retried = stored is not None and not stored.failed
    why = SLACK_ERROR_HINTS.get(code, f"Slack answered `{code}`")
    return f"The announcement failed: {why}" + (" (it will be retried)." if retried else ".")


def post(deps: Deps, row: Outbox) -> str:
    """Deliver one recorded announcement (called by the sweep's Sender)."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, p["incident"])
        if incident is None:
            return f"announcement of a deleted incident {p['incident']} skipped"
        if p["event"] == "declared":
            text, body = blocks.announcement(incident, p["by"])
        else:
            text, body = blocks.resolution_announcement(incident)
    ts = deps.notifier.post(row.channel or "", text, body)
    if p["event"] == "declared":
        with deps.db.unit_of_work() as session:
            stored = session.get(Incident, p["incident"])
            if stored is not None:
                stored.announce_ts = ts
    return f"announcement: incident {incident.number} {p['event']}"
