"""What a change shows in Slack, recorded with the change and sent from the record.

A change writes outbox rows in its own transaction: the timeline echo (posted in the incident
channel; consecutive echoes of one channel are merged into one message when they queue up),
the card and the topic when the change shows on them (sent as the latest state: however many
changes queue up, one update carries them all); the resolution's echo also carries the
resolve post (durations, what fixed it), so resolving is one message too. The delivery
worker sends them as soon as the channel's limits allow; the sweep retries what Slack refused.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime

from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.incidents import announcements, messages
from bot.incidents.guided import guided_lines
from bot.incidents.lifecycle import milestone_text
from bot.models import SEVERITIES, Incident, Outbox, TimelineEntry
from bot.outbox import store
from bot.outbox.delivery import Later, Moot
from bot.playbook.load import playbook_for
from bot.slack.blocks import clip
from bot.wiring import Deps

CARD_KINDS = ("severity", "status", "role", "milestone")  # what the card and topic show
ANNOUNCED_KINDS = (*CARD_KINDS, "update")  # what the announcement, edited in place, shows
SEVERITY_CHANGE = re.compile(r"^Severity changed from (sev\d) to (sev\d)$")  # lifecycle's text
ROUTINE_KINDS = ("role", "milestone")  # echoed under the card with INCIDENT_CHANNEL_ECHO=thread
ECHOES_PER_MESSAGE = 10  # merged echoes: 10 sections of at most 3000 characters each
NOT_POSTED_YET = 2.0  # seconds: a card update waits for the card itself


def is_resolution(entry: TimelineEntry) -> bool:
    """The entry that closed the incident (its `resolved` milestone)."""
    return entry.kind == "milestone" and entry.text == milestone_text("resolved")


def record(
    session: Session, incident: Incident, entry: TimelineEntry, now: datetime, echo: str = "channel"
) -> int:
    """Queue what the channel sees of this change, in the change's transaction; returns the
    echo's outbox row id (the one the person who typed waits for). With `echo="thread"`
    (INCIDENT_CHANNEL_ECHO), routine changes are echoed in a thread under the card."""
    session.flush()  # the entry's id
    channel = incident.channel_id
    target = {"incident": incident.id, "entry": entry.id}
    # The resolution's echo carries the resolve post (durations, what fixed it): one message,
    # in the channel whatever INCIDENT_CHANNEL_ECHO says (it is no routine change).
    closing = is_resolution(entry)
    routine = echo == "thread" and entry.kind in ROUTINE_KINDS and not closing
    said = {**target, "closing": True} if closing else target
    rows = [store.row("thread_echo" if routine else "echo", f"echo:{entry.id}", channel, said, now)]
    if entry.kind in CARD_KINDS:
        rows.append(store.row("card", f"card:{incident.id}:{entry.id}", channel, target, now))
        if (text := topic(incident)) != _last_topic(session, incident):
            key = f"topic:{incident.id}:{entry.id}"
            rows.append(store.row("topic", key, channel, {**target, "topic": text}, now))
    store.enqueue(session, rows)
    if entry.kind in ANNOUNCED_KINDS:
        announcements.record_edit(session, incident, now, f"entry:{entry.id}")
    if entry.kind == "severity" and (change := SEVERITY_CHANGE.match(entry.text)):
        old, new = change.groups()
        line = severity_line(incident.number, old, new, entry.author)
        cause = f"entry:{entry.id}"
        announcements.record_reply(session, incident, cause, line, now, loud=new == "sev1")
    return int(session.scalar(select(Outbox.id).where(Outbox.dedupe_key == f"echo:{entry.id}")))


def severity_line(number: int, old: str, new: str, by: str | None) -> str:
    """`Incident 3 escalated sev2 → sev1 by @x` (or `lowered`), for the announcement's thread."""
    verb = "escalated" if SEVERITIES.index(new) < SEVERITIES.index(old) else "lowered"
    emoji = messages.SEVERITY_EMOJI[new]
    return f"{emoji} Incident {number} {verb} {old} → {new}" + (f" by <@{by}>" if by else "")


def record_card(session: Session, incident: Incident, now: datetime) -> None:
    """Queue a redraw of the card (and of the announcement) from the incident's current state
    (for a change they show whose timeline entry kind does not, such as the summary)."""
    cause = uuid.uuid4().hex[:8]
    key = f"card:{incident.id}:{cause}"
    target = {"incident": incident.id}
    store.enqueue(session, [store.row("card", key, incident.channel_id, target, now)])
    announcements.record_edit(session, incident, now, cause)


def record_topic(session: Session, incident: Incident, now: datetime) -> None:
    """Queue the channel topic from the incident's current state (at declaration)."""
    key = f"topic:{incident.id}:{uuid.uuid4().hex[:8]}"
    target = {"incident": incident.id, "topic": topic(incident)}
    store.enqueue(session, [store.row("topic", key, incident.channel_id, target, now)])


def _last_topic(session: Session, incident: Incident) -> str | None:
    """The topic text most recently queued for this incident's channel (sent or on its way):
    the topic is set again only when its text changes."""
    payload = session.scalar(
        select(Outbox.payload)
        .where(Outbox.kind == "topic", Outbox.channel == incident.channel_id, ~Outbox.failed)
        .order_by(Outbox.id.desc())
        .limit(1)
    )
    return None if payload is None else payload.get("topic")


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
    """Post one message with the timeline changes of these rows (one lane, in order); the
    resolution's is followed by the resolve post."""
    entries = _entries(deps, rows)
    closing = {r.payload["entry"] for r in rows if r.payload.get("closing")}
    incident = _incident(deps, rows[0]) if closing else None
    text, blocks = echo_message(entries, deps, closing, incident)
    deps.notifier.post(rows[0].channel or "", text, blocks)
    return f"{len(entries)} timeline change(s) posted in {rows[0].channel}"


def _entries(deps: Deps, rows: list[Outbox]) -> list[TimelineEntry]:
    """The rows' timeline entries in order, without removed ones (none left: moot)."""
    wanted = [r.payload["entry"] for r in rows]
    with deps.db.unit_of_work() as session:
        found = session.scalars(select(TimelineEntry).where(TimelineEntry.id.in_(wanted)))
        by_id = {e.id: e for e in found if not e.removed}
        entries = [by_id[i] for i in wanted if i in by_id]
    if not entries:
        raise Moot("entries removed")
    return entries


def send_thread_echoes(deps: Deps, rows: list[Outbox], now: datetime) -> str:
    """Routine changes as one reply in the thread under the incident's card."""
    thread = card_thread(deps, rows[0])
    if thread is None:
        raise Later(NOT_POSTED_YET, "the card is not posted yet")
    text, blocks = echo_message(_entries(deps, rows), deps)
    deps.notifier.post(rows[0].channel or "", text, blocks, thread_ts=thread)
    return f"{len(rows)} routine change(s) posted under the card in {rows[0].channel}"


def card_thread(deps: Deps, row: Outbox) -> str | None:
    """The ts of the incident's card: the thread routine echoes go in."""
    return _incident(deps, row).card_ts


def echo_message(
    entries: list[TimelineEntry],
    deps: Deps,
    closing: set[int] | None = None,
    incident: Incident | None = None,
) -> tuple[str, list[Block]]:
    """One entry as people always saw it; several as their lines, one section each. The
    `closing` entry (the resolution) is followed by the resolve post of `incident`."""
    zone = deps.settings.zone
    posts = [messages.change_post(entry, zone) for entry in entries]
    for n, entry in enumerate(entries):
        if incident is not None and entry.id in (closing or ()):
            line, body = posts[n]
            text, summary = messages.resolved_post(incident)
            posts[n] = (f"{line}\n{text}", [*body, *summary])
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
    """The resolution summary (durations) in the incident channel, as a row of its own
    (recorded by earlier versions; the resolution's echo carries it now)."""
    incident = _incident(deps, row)
    text, body = messages.resolved_post(incident)
    deps.notifier.post(incident.channel_id or "", text, body)
    return f"resolution of incident {incident.number} posted"
