"""Checklists: tasks a workflow adds to an incident, shown in one message with checkboxes,
ticked by anyone in the channel; each tick (and untick) is a `task` entry on the timeline
with who and when. `/incident tasks` lists them all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    ContextBlock,
    MarkdownTextObject,
    Option,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import IncidentError
from bot.incidents import publishing
from bot.incidents.lifecycle import add_entry, require_for_channel
from bot.incidents.service import IncidentService
from bot.models import Incident, Outbox, Task, TimelineEntry
from bot.outbox import store
from bot.outbox.delivery import Later
from bot.slack import ids
from bot.slack.blocks import clip, section, when
from bot.wiring import Deps

PER_ELEMENT = 10  # Slack's most options in one checkboxes element
POSTING_GRACE = 30  # seconds a new checklist may take to be posted before it is redrawn


def add_tasks(
    session: Session,
    incident: Incident,
    checklist: str,
    title: str,
    texts: Sequence[str],
    now: datetime,
) -> list[Task]:
    """The checklist's tasks (added once: a retried step finds them there)."""
    existing = tasks_of(session, incident.id, checklist)
    if existing:
        return existing
    tasks = [
        Task(
            incident_id=incident.id,
            checklist=checklist,
            title=title,
            position=i,
            text=t,
            created_at=now,
        )
        for i, t in enumerate(texts)
    ]
    session.add_all(tasks)
    session.flush()
    return tasks


def tasks_of(session: Session, incident_id: int, checklist: str | None = None) -> list[Task]:
    query = select(Task).where(Task.incident_id == incident_id)
    if checklist is not None:
        query = query.where(Task.checklist == checklist)
    return list(session.scalars(query.order_by(Task.checklist, Task.position)))


def checklist_blocks(title: str, tasks: Sequence[Task], zone: ZoneInfo) -> list[Block]:
    """One message: the title, checkboxes (ticked ones ticked), and who ticked what, when."""
    blocks: list[Block] = [section(f":ballot_box_with_check: *{clip(title, 200)}*")]
    for start in range(0, len(tasks), PER_ELEMENT):
        chunk = tasks[start : start + PER_ELEMENT]
        options = [Option(text=clip(t.text, 150), value=str(t.id)) for t in chunk]
        ticked = [o for o, t in zip(options, chunk, strict=True) if t.done_at]
        blocks.append(
            ActionsBlock(
                block_id=f"{ids.TASK_TICK}:{','.join(str(t.id) for t in chunk)}",
                elements=[
                    CheckboxesElement(
                        action_id=ids.TASK_TICK, options=options, initial_options=ticked or None
                    )
                ],
            )
        )
    done = [t for t in tasks if t.done_at]
    if done:
        lines = [f"✓ {clip(t.text, 80)} — <@{t.done_by}> {when(t.done_at, zone)}" for t in done]
        text = clip("\n".join(lines), 3000)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=text)]))
    return blocks


def tick(
    session: Session,
    incident: Incident,
    *,
    shown: Sequence[int],
    ticked: Sequence[int],
    user: str,
    now: datetime,
) -> list[TimelineEntry]:
    """Make the tasks of one checkbox element (`shown`) as `ticked` says; each change is a
    `task` entry on the timeline with who and when."""
    tasks = session.scalars(
        select(Task)
        .where(Task.incident_id == incident.id, Task.id.in_(list(shown)))
        .with_for_update()
    ).all()
    if not tasks:
        raise IncidentError("That checklist is not this incident's.")
    entries = []
    for task in tasks:
        wanted = task.id in ticked
        if wanted == (task.done_at is not None):
            continue
        task.done_at, task.done_by = (now, user) if wanted else (None, None)
        text = f"Task done: {task.text}" if wanted else f"Task reopened: {task.text}"
        entries.append(
            add_entry(session, incident, at=now, kind="task", text=text, author=user, now=now)
        )
    return entries


def tick_in_channel(
    service: IncidentService, channel: str, user: str, *, shown: list[int], ticked: list[int]
) -> None:
    """Someone in the channel ticked (or unticked) tasks: recorded, message and card redrawn."""
    service.members.require(channel, user, "the checklist")
    with service.db.unit_of_work() as session:
        incident = require_for_channel(session, channel, "the checklist")
        now = service.now()
        if tick(session, incident, shown=shown, ticked=ticked, user=user, now=now):
            record_redraw(session, incident, now)
            publishing.record_card(session, incident, now)
    if service.deps.delivery is not None:
        service.deps.delivery.kick(channel)


def record_redraw(session: Session, incident: Incident, now: datetime) -> None:
    """Queue a redraw of the incident's checklist messages (the latest state wins)."""
    key = f"checklists:{incident.id}:{uuid.uuid4().hex}"
    payload = {"incident": incident.id}
    store.enqueue(session, [store.row("checklist", key, incident.channel_id, payload, now)])


def send_checklists(deps: Deps, rows: list[Outbox], now: datetime) -> str:
    """Redraw every checklist message of the incident from the tasks as stored now."""
    incident_id = rows[-1].payload["incident"]
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        tasks = tasks_of(session, incident_id) if incident else []
        channel = incident.channel_id if incident else None
        for task in tasks:
            session.expunge(task)
    unposted = [t for t in tasks if t.message_ts is None]
    if any((now - t.created_at).total_seconds() < POSTING_GRACE for t in unposted):
        raise Later(2, "a checklist is being posted")  # its ts is stored just after the post
    messages: dict[str, list[Task]] = {}
    titles: dict[str, str] = {}
    for task in tasks:
        if task.message_ts:
            messages.setdefault(task.message_ts, []).append(task)
            titles[task.message_ts] = task.title
    for ts, group in messages.items():
        blocks = checklist_blocks(titles[ts], group, deps.settings.zone)
        deps.notifier.update(channel or "", ts, f"Checklist: {titles[ts]}", blocks)
    return f"{len(messages)} checklist(s) of incident {incident_id} redrawn"


def tasks_reply(session: Session, incident: Incident, zone: ZoneInfo) -> tuple[str, list[Block]]:
    """`/incident tasks`: every task, open or done, with who ticked it and when."""
    tasks = tasks_of(session, incident.id)
    if not tasks:
        return f"Incident {incident.number} has no checklist tasks.", []
    open_count = sum(1 for t in tasks if t.done_at is None)
    lines = [f"*Tasks of incident {incident.number}* ({open_count} of {len(tasks)} open)"]
    for task in tasks:
        if task.done_at:
            lines.append(f"☑ {task.text} — <@{task.done_by}> {when(task.done_at, zone)}")
        else:
            lines.append(f"☐ {task.text}")
    text = "\n".join(lines)
    return clip(text, 3000), [section(text)]
