"""Guided response in the incident domain: its type and custom fields (set, shown, required
before resolving), and the trigger facts workflows run on, recorded with each change.

A trigger is an outbox row (kind `workflow`) written in the change's own transaction, with a
unique key per occurrence: whatever retries, restarts or replicas see it, it exists once, and
the workflows domain (bot.workflows) runs from it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import IncidentError
from bot.incidents.lifecycle import add_entry
from bot.models import Incident, Task, TimelineEntry
from bot.outbox import store
from bot.playbook.fields import (
    check_field_name,
    check_type,
    describe_missing,
    field_lines,
    missing,
    parse_value,
    shown,
)
from bot.playbook.models import Playbook, field_label

OPEN_TASKS_SHOWN = 5
# Timeline entries these changes leave are notes (SPEC's kinds); `source` says what changed.
TYPE_SOURCE, FIELD_SOURCE = "type", "field"


def set_type(
    session: Session, incident: Incident, playbook: Playbook, *, now: datetime, user: str, name: str
) -> TimelineEntry:
    """Change the incident's type; recorded (a note), and `type_changed` workflows run."""
    kind = check_type(playbook, name)
    if incident.type == kind:
        raise IncidentError(f"Incident {incident.number} is already of type {kind}.")
    old, incident.type = incident.type, kind
    text = f"Type changed from {old} to {kind}" if old else f"Type set to {kind}"
    entry = add_entry(
        session, incident, at=now, kind="note", text=text, author=user, now=now, source=TYPE_SOURCE
    )
    return entry


def set_field(
    session: Session,
    incident: Incident,
    playbook: Playbook,
    *,
    now: datetime,
    user: str,
    name: str,
    raw: str,
) -> TimelineEntry:
    """Set one custom field from what was typed; refused with the valid values."""
    name, field = check_field_name(playbook, name)
    value = parse_value(name, field, raw)
    if (incident.fields or {}).get(name) == value:
        raise IncidentError(f"`{name}` of incident {incident.number} is already that.")
    incident.fields = {**(incident.fields or {}), name: value}
    text = f"{field_label(name, field)} set to {shown(field, value)}"
    return add_entry(
        session, incident, at=now, kind="note", text=text, author=user, now=now, source=FIELD_SOURCE
    )


def set_fields(
    session: Session,
    incident: Incident,
    playbook: Playbook,
    *,
    now: datetime,
    user: str,
    values: dict[str, Any],
) -> None:
    """Fields filled in a modal (already checked by it), each a note on the timeline."""
    for name, value in values.items():
        field = playbook.custom_fields.get(name)
        if field is None or (incident.fields or {}).get(name) == value:
            continue
        incident.fields = {**(incident.fields or {}), name: value}
        text = f"{field_label(name, field)} set to {shown(field, value)}"
        add_entry(
            session,
            incident,
            at=now,
            kind="note",
            text=text,
            author=user,
            now=now,
            source=FIELD_SOURCE,
        )


def refuse_unready_resolution(incident: Incident, playbook: Playbook) -> None:
    """A field required at resolve blocks resolution, naming what is missing."""
    names = missing(playbook, incident.fields or {}, "resolve")
    if names:
        raise IncidentError(
            f"Incident {incident.number} can't be resolved yet: {describe_missing(names)}."
        )


def open_tasks(session: Session, incident_id: int) -> list[Task]:
    return list(
        session.scalars(
            select(Task)
            .where(Task.incident_id == incident_id, Task.done_at.is_(None))
            .order_by(Task.id)
        )
    )


def guided_lines(session: Session, incident: Incident, playbook: Playbook) -> list[str]:
    """The card's lines of type, custom fields and open tasks (those that apply)."""
    lines = []
    if incident.type:
        kind = playbook.incident_types.get(incident.type)
        about = f" — {kind.description}" if kind and kind.description else ""
        lines.append(f"*Type:* {incident.type}{about}")
    values = field_lines(playbook, incident.fields or {})
    if values:
        lines.append("\n".join(values))
    tasks = open_tasks(session, incident.id)
    if tasks:
        shown_tasks = "\n".join(f"☐ {t.text}" for t in tasks[:OPEN_TASKS_SHOWN])
        more = len(tasks) - OPEN_TASKS_SHOWN
        tail = f"\n…and {more} more (`/incident tasks`)" if more > 0 else ""
        lines.append(f"*Open tasks ({len(tasks)}):*\n{shown_tasks}{tail}")
    return lines


def trigger_of(entry: TimelineEntry) -> str | None:
    """Which workflow trigger a change fires, if any."""
    if entry.kind in ("severity", "status"):
        return f"{entry.kind}_changed"
    if entry.kind == "milestone" and entry.text == "Marked resolved":
        return "resolved"
    if entry.kind == "note" and entry.source == TYPE_SOURCE:
        return "type_changed"
    if entry.kind == "note" and entry.source == FIELD_SOURCE:
        return "field_changed"
    return None


def lane(incident_id: int) -> str:
    """The outbox lane of an incident's triggers: they run in the order they happened."""
    return f"workflows:{incident_id}"


def trigger_key(incident_id: int, occurrence: str) -> str:
    return f"trigger:{incident_id}:{occurrence}"


def record_trigger(
    session: Session,
    incident: Incident,
    trigger: str,
    occurrence: str,
    now: datetime,
    **detail: Any,
) -> None:
    """One trigger occurrence, once (its key is unique), in the change's transaction. The
    incident's state is kept with it: conditions are about the incident as the change left it,
    not as later changes (handled before this trigger's turn) leave it."""
    session.flush()
    facts = {
        "severity": incident.severity,
        "status": incident.status,
        "type": incident.type,
        "fields": dict(incident.fields or {}),
    }
    payload = {
        "incident": incident.id,
        "trigger": trigger,
        "occurrence": occurrence,
        "facts": facts,
        **detail,
    }
    key = trigger_key(incident.id, occurrence)
    store.enqueue(session, [store.row("workflow", key, lane(incident.id), payload, now)])


def record_change_trigger(
    session: Session, incident: Incident, entry: TimelineEntry, **extra: Any
) -> None:
    """The trigger a recorded change fires (a resolution also changes the status);
    `extra`: what the trigger carries besides the entry (the field that changed)."""
    trigger = trigger_of(entry)
    if trigger is None:
        return
    session.flush()
    detail: dict[str, Any] = {"entry": entry.id, **extra}
    record_trigger(session, incident, trigger, f"entry:{entry.id}", entry.created_at, **detail)
    if trigger == "resolved":
        occurrence = f"entry:{entry.id}:status"
        record_trigger(session, incident, "status_changed", occurrence, entry.created_at, **detail)
