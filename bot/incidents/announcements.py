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


def _announced(session: Session, incident_id: int) -> Incident | None:
    """The incident, once its announcement is posted; None when it never will be (private,
    gone, no announce channel, or Slack refused it for good). Later while it is on its way."""
    incident = session.get(Incident, incident_id)
    if incident is None or incident.private:
        return None
    if incident.announce_ts:
        return incident
    pending = session.scalar(
        select(Outbox.id).where(
            Outbox.dedupe_key == key(incident, "declared"),
            Outbox.sent_at.is_(None),
            Outbox.failed.is_(False),
        )
    )
    if pending is None:
        return None
    raise Later(NOT_ANNOUNCED_YET, "the announcement is not posted yet")


def send_edit(deps: Deps, rows: list[Outbox], now: datetime) -> str:
    """Edit each announcement to its incident as stored now (the announce channel is one lane
    for every incident: these rows may be several incidents' changes)."""
    wanted = list(dict.fromkeys(r.payload["incident"] for r in rows))
    edited, waiting = [], None
    for incident_id in wanted:
        with deps.db.unit_of_work() as session:
            try:
                incident = _announced(session, incident_id)
            except Later as later:
                waiting = later
                continue
            if incident is None:
                continue
            last = session.scalar(
                select(func.max(IncidentUpdate.at)).where(IncidentUpdate.incident_id == incident_id)
            )
        text, body = messages.announcement_now(incident, last, deps.settings.zone)
        deps.notifier.update(rows[0].channel or "", incident.announce_ts or "", text, body)
        edited.append(incident.number)
    if waiting is not None:
        raise waiting  # those edited are edited again then: chat.update is idempotent
    if not edited:
        raise Moot("no announcement to edit")
    return f"announcement of incident(s) {', '.join(map(str, edited))} edited"


def reply_thread(deps: Deps, row: Outbox) -> str | None:
    """The announcement's ts: the thread a reply is looked for in after a lost answer."""
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, row.payload["incident"])
        return incident.announce_ts if incident is not None else None


def send_reply(deps: Deps, row: Outbox, now: datetime) -> str:
    """Reply in the announcement's thread."""
    with deps.db.unit_of_work() as session:
        incident = _announced(session, row.payload["incident"])
    if incident is None:
        raise Moot("no announcement to reply to")
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
