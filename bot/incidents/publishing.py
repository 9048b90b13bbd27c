"""What a change shows in Slack, recorded with the change and sent from the record.

A change writes outbox rows in its own transaction: the timeline echo (posted in the incident
channel; consecutive echoes of one channel are merged into one message when they queue up),
the card and the topic when the change shows on them (sent as the latest state: however many
changes queue up, one update carries them all), and the resolution summary. The delivery
worker sends them as soon as the channel's limits allow; the sweep retries what Slack refused.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.incidents import messages
from bot.incidents.guided import guided_lines
from bot.incidents.lifecycle import milestone_text
from bot.models import Incident, Outbox, TimelineEntry
from bot.outbox import store
from bot.outbox.delivery import Later, Moot
from bot.playbook.load import playbook_for
from bot.slack.blocks import clip
from bot.wiring import Deps

CARD_KINDS = ("severity", "status", "role", "milestone")  # what the card and topic show
ECHOES_PER_MESSAGE = 10  # merged echoes: 10 sections of at most 3000 characters each
NOT_POSTED_YET = 2.0  # seconds: a card update waits for the card itself


def is_resolution(entry: TimelineEntry) -> bool:
    """The entry that closed the incident (its `resolved` milestone)."""
    return entry.kind == "milestone" and entry.text == milestone_text("resolved")


def record(session: Session, incident: Incident, entry: TimelineEntry, now: datetime) -> int:
    """Queue what the channel sees of this change, in the change's transaction; returns the
    echo's outbox row id (the one the person who typed waits for)."""
    session.flush()  # the entry's id
    channel = incident.channel_id
    target = {"incident": incident.id, "entry": entry.id}
    rows = [store.row("echo", f"echo:{entry.id}", channel, target, now)]
    if entry.kind in CARD_KINDS:
        rows.append(store.row("card", f"card:{incident.id}:{entry.id}", channel, target, now))
        rows.append(store.row("topic", f"topic:{incident.id}:{entry.id}", channel, target, now))
    if is_resolution(entry):
        key = f"resolved:{incident.id}:{entry.id}"
        rows.append(store.row("resolved", key, channel, target, now))
    store.enqueue(session, rows)
    return int(session.scalar(select(Outbox.id).where(Outbox.dedupe_key == f"echo:{entry.id}")))


def record_card(session: Session, incident: Incident, now: datetime) -> None:
    """Queue a redraw of the card from the incident's current state (for a change the card
    shows whose timeline entry kind does not, such as the summary)."""
    key = f"card:{incident.id}:{uuid.uuid4().hex[:8]}"
    target = {"incident": incident.id}
    store.enqueue(session, [store.row("card", key, incident.channel_id, target, now)])


def record_topic(session: Session, incident: Incident, now: datetime) -> None:
    """Queue the channel topic from the incident's current state (at declaration)."""
    key = f"topic:{incident.id}:{uuid.uuid4().hex[:8]}"
    target = {"incident": incident.id}
    store.enqueue(session, [store.row("topic", key, incident.channel_id, target, now)])


def topic(incident: Incident) -> str:
    who = f"IC <@{incident.commander}>" if incident.commander else "no IC"
    return f"{incident.severity.upper()} · {incident.status} · {who}"


def _incident(deps: Deps, row: Outbox) -> Incident:
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, row.payload["incident"])
        if incident is None or not incident.channel_id:
            raise Moot("incident gone")
        return incident


def send_echoes(deps: Deps, rows: list[Outbox], now: datetime) -> str:
    """Post one message with the timeline changes of these rows (one lane, in order)."""
    wanted = [r.payload["entry"] for r in rows]
    with deps.db.unit_of_work() as session:
        found = session.scalars(select(TimelineEntry).where(TimelineEntry.id.in_(wanted)))
        by_id = {e.id: e for e in found if not e.removed}
        entries = [by_id[i] for i in wanted if i in by_id]
    if not entries:
        raise Moot("entries removed")
    text, blocks = echo_message(entries, deps)
    deps.notifier.post(rows[0].channel or "", text, blocks)
    return f"{len(entries)} timeline change(s) posted in {rows[0].channel}"


def echo_message(entries: list[TimelineEntry], deps: Deps) -> tuple[str, list[Block]]:
    """One entry as people always saw it; several as their lines, one section each."""
    zone = deps.settings.zone
    posts = [messages.change_post(entry, zone) for entry in entries]
    if len(posts) == 1:
        return posts[0]
    text = "\n".join(clip(line) for line, _ in posts)
    return text, [block for _, body in posts for block in body]


def send_card(deps: Deps, rows: list[Outbox], now: datetime) -> str:
    """Redraw the pinned card from the incident as stored now (the latest of these changes)."""
    incident = _incident(deps, rows[-1])
    if not incident.card_ts:
        raise Later(NOT_POSTED_YET, "the card is not posted yet")
    zone = deps.settings.zone
    with deps.db.unit_of_work() as session:
        guide = guided_lines(session, incident, playbook_for(deps.settings))
    deps.notifier.update(
        incident.channel_id or "",
        incident.card_ts,
        messages.card_text(incident),
        messages.incident_card(incident, zone, guide),
    )
    return f"card of incident {incident.number} updated ({len(rows)} change(s))"


def send_topic(deps: Deps, rows: list[Outbox], now: datetime) -> str:
    """Set the channel topic from the incident as stored now."""
    incident = _incident(deps, rows[-1])
    deps.notifier.set_topic(incident.channel_id or "", topic(incident))
    return f"topic of incident {incident.number} set"


def send_resolved(deps: Deps, row: Outbox, now: datetime) -> str:
    """The resolution summary (durations) in the incident channel."""
    incident = _incident(deps, row)
    text, body = messages.resolved_post(incident)
    deps.notifier.post(incident.channel_id or "", text, body)
    return f"resolution of incident {incident.number} posted"
