"""Announcements must not be lost: recorded in the outbox with the change, sent from the record.

The delivery worker sends one as soon as the announce channel's limits allow; if Slack fails,
it is retried (the scheduler's sweep is the backstop) like any outbox row; a post whose answer
was lost is looked for in the channel before it is made again.

After the declaration, the announcement is edited in place to the incident's current state
(`announce_edit`, collapsed to the latest), and updates and severity changes are replied in
its thread (`announce_reply`; a change to sev1 is also broadcast to the channel). A private
incident's announcement names nothing and never changes.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.errors import SlackFailure
from bot.incidents import messages
from bot.models import Incident, IncidentUpdate, Outbox
from bot.outbox import store
from bot.outbox.delivery import Later, Moot
from bot.slack.port import hint
from bot.wiring import Deps

log = logging.getLogger(__name__)
NOT_ANNOUNCED_YET = 2.0  # seconds: an edit or a reply waits for the announcement itself


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


def record_edit(session: Session, incident: Incident, now: datetime, cause: str) -> None:
    """Queue the announcement's edit to the incident's state as it is when it is sent."""
    if incident.private or not incident.announce_channel:
        return
    key = f"announce-edit:{incident.id}:{cause}"
    payload = {"incident": incident.id}
    row = store.row("announce_edit", key, incident.announce_channel, payload, now)
    store.enqueue(session, [row])


def record_reply(
    session: Session, incident: Incident, cause: str, text: str, now: datetime, *, loud: bool
) -> None:
    """Queue a reply in the announcement's thread (`loud`: also shown in the channel)."""
    if incident.private or not incident.announce_channel:
        return
    key = f"announce-reply:{incident.id}:{cause}"
    payload = {"incident": incident.id, "text": text, "broadcast": loud}
    row = store.row("announce_reply", key, incident.announce_channel, payload, now)
    store.enqueue(session, [row])


def _announced(deps: Deps, incident_id: int) -> tuple[Incident, datetime | None]:
    """The incident, once its announcement is posted, and the time of its latest update."""
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        if incident is None or incident.private:
            raise Moot("no announcement to change")
        if not incident.announce_ts:
            raise Later(NOT_ANNOUNCED_YET, "the announcement is not posted yet")
        last = session.scalar(
            select(func.max(IncidentUpdate.at)).where(IncidentUpdate.incident_id == incident_id)
        )
        return incident, last


def send_edit(deps: Deps, rows: list[Outbox], now: datetime) -> str:
    """Edit the announcement to the incident as stored now (however many changes queued)."""
    incident, last = _announced(deps, rows[-1].payload["incident"])
    text, body = messages.announcement_now(incident, last, deps.settings.zone)
    deps.notifier.update(rows[-1].channel or "", incident.announce_ts or "", text, body)
    return f"announcement of incident {incident.number} edited"


def send_reply(deps: Deps, row: Outbox, now: datetime) -> str:
    """Reply in the announcement's thread."""
    incident, _ = _announced(deps, row.payload["incident"])
    p = row.payload
    deps.notifier.post(
        row.channel or "", p["text"], thread_ts=incident.announce_ts, broadcast=p["broadcast"]
    )
    return f"reply under the announcement of incident {incident.number}"


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
