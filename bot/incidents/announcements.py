"""Announcements must not be lost: recorded in the outbox with the change, sent from the record.

The service sends one at once after its commit; if Slack fails, the scheduler's sweep retries
it like any reminder (same claim, backoff and give-up rules).
"""

from __future__ import annotations

import os
from datetime import datetime
from functools import partial

from sqlalchemy.orm import Session

from bot.incidents import messages
from bot.models import Incident, Outbox
from bot.outbox import store
from bot.outbox.delivery import Courier
from bot.slack.port import hint
from bot.wiring import Deps


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


def send_now(deps: Deps, incident: Incident, event: str) -> str | None:
    """Send a recorded announcement at once; None when sent, else why not (it is retried)."""
    now = deps.clock()
    timeout = deps.settings.INCIDENT_REMINDER_CLAIM_TIMEOUT
    worker = f"announce-{os.getpid()}"
    row = store.claim_key(
        deps.db, key(incident, event), now=now, worker=worker, claim_timeout=timeout
    )
    courier = Courier(deps.db, senders={"announce": partial(send_announcement, deps)})
    if row is None or courier.deliver(row, now) is not None:
        return None
    with deps.db.unit_of_work() as session:
        stored = session.get(Outbox, row.id)
        code = (stored.last_error if stored else None) or "error"
        retried = stored is not None and not stored.failed
    return f"The announcement failed: {hint(code)}" + (" (it will be retried)." if retried else ".")


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
