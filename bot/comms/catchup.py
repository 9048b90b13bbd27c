"""Catch-up on join: whoever joins an incident channel after the declaration gets, only for
them, where the incident stands. Deterministic: built from the database. With a model
configured, a second message follows: two sentences of what happened so far, each with the
times of the timeline entries it rests on (bot.drafting.so_far)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import human_duration
from bot.comms.updates import latest_update
from bot.drafting.ai import DraftFailure
from bot.drafting.so_far import so_far
from bot.errors import SlackFailure
from bot.followups.items import ref
from bot.incidents import lifecycle as incidents
from bot.incidents.details import detail_lines
from bot.incidents.guided import open_tasks
from bot.models import ROLES, ActionItem, Incident, RoleAssignment, Task, TimelineEntry
from bot.slack.blocks import clip, one_line, section, when
from bot.wiring import Deps

log = logging.getLogger(__name__)
DECISIONS_SHOWN = 3  # the latest few: the timeline has the rest
ITEMS_SHOWN = 5


def catch_up(deps: Deps, channel: str, user: str) -> bool:
    """Tell `user`, who just joined `channel`, where its incident stands; True if told.

    Nobody already recorded as a member is told: the declarer and everyone the bot invited
    (roles) are recorded at invitation time, and a repeated join event changes nothing once
    the membership mirror has them. Call it before the mirror records the join."""
    with deps.db.unit_of_work() as session:
        incident = incidents.for_channel(session, channel)
        if incident is None or user in (incident.members or []):
            return False
        text, blocks = catch_up_message(session, incident, deps.clock(), deps.settings.zone)
        incident_id = incident.id
    try:
        deps.notifier.ephemeral(channel, user, text, blocks)
    except SlackFailure as exc:
        if exc.transient:
            raise  # the join event is not acked: Slack delivers it again, and it is retried
        log.warning("no catch-up for %s in %s: %s", user, channel, exc.code)
        return False  # refused for good: the join must still be recorded
    if deps.settings.OPENAI_API_KEY:
        _so_far(deps, channel, user, incident_id)
    return True


def _so_far(deps: Deps, channel: str, user: str, incident_id: int) -> None:
    """The model's cited sentences, only for the person who joined; nothing when it fails."""
    try:
        sentences = so_far(deps.db, deps.settings, incident_id)
    except DraftFailure as exc:
        log.info("no model catch-up for incident id %s: %s", incident_id, exc.reason)
        return
    except Exception:
        log.exception("model catch-up failed for incident id %s", incident_id)
        return
    if not sentences:
        return
    zone = deps.settings.zone
    said = " ".join(
        f"{_escaped(s.text)} _({', '.join(when(at, zone) for at in s.cited)})_" for s in sentences
    )
    model = deps.settings.INCIDENT_AI_MODEL
    text = f":crystal_ball: *So far*, as `{model}` reads the timeline: {said}"
    try:
        deps.notifier.ephemeral(channel, user, clip(text), [section(clip(text))])
    except SlackFailure as exc:
        log.warning("no model catch-up for %s in %s: %s", user, channel, exc.code)


def _escaped(text: str) -> str:
    """Model text as plain text in Slack: no mention, link or broadcast it could make."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def catch_up_message(
    session: Session, incident: Incident, now: datetime, zone: ZoneInfo
) -> tuple[str, list[Block]]:
    """The catch-up: title, state, people, summary, impact, latest decisions, open items, age."""
    decisions = session.scalars(
        select(TimelineEntry)
        .where(
            TimelineEntry.incident_id == incident.id,
            TimelineEntry.kind == "decision",
            TimelineEntry.removed.is_(False),
        )
        .order_by(TimelineEntry.at.desc(), TimelineEntry.id.desc())
        .limit(DECISIONS_SHOWN)
    ).all()
    items = session.scalars(
        select(ActionItem)
        .where(ActionItem.incident_id == incident.id, ActionItem.status == "open")
        .order_by(ActionItem.id)
    ).all()
    roles = dict(
        session.execute(
            select(RoleAssignment.role, RoleAssignment.user_id).where(
                RoleAssignment.incident_id == incident.id
            )
        ).all()
    )
    title = f"Catching up on incident {incident.number}: {incident.title}"
    last = latest_update(session, incident.id)
    parts = [
        f"*{clip(title, 500)}*\n{_state_line(incident, now, zone)}\n{_people_line(roles)}",
        "\n".join(detail_lines(incident)),
        (
            f"*Latest update* ({when(last.at, zone)}, <@{last.author}>): {clip(last.text, 1500)}"
            if last
            else ""
        ),
        _decision_lines(list(reversed(decisions)), zone),
        _item_lines(items),
        _task_lines(open_tasks(session, incident.id)),
    ]
    return title, [section(part) for part in parts if part]


def _state_line(incident: Incident, now: datetime, zone: ZoneInfo) -> str:
    since = incident.started_at or incident.declared_at
    if incident.resolved_at is not None:
        took = human_duration(int((incident.resolved_at - since).total_seconds()))
        age = f"resolved {when(incident.resolved_at, zone)} after {took}"
    else:
        age = f"going for {human_duration(int((now - since).total_seconds()))}"
        age += f" (since {when(since, zone)})"
    return f"{incident.severity.upper()} · {incident.status} · {age}"


def _people_line(roles: dict[str, str]) -> str:
    line = " · ".join(f"{r} <@{roles[r]}>" if r in roles else f"no {r}" for r in ROLES)
    return line[:1].upper() + line[1:]


def _decision_lines(decisions: Sequence[TimelineEntry], zone: ZoneInfo) -> str:
    if not decisions:
        return ""
    lines = ["*Latest decisions*"]
    for entry in decisions:
        why = f" — because {one_line(entry.rationale)}" if entry.rationale else ""
        who = entry.decided_by or entry.author
        by = f" (<@{who}>)" if who else ""
        lines.append(f"• {when(entry.at, zone)} {clip(one_line(entry.text), 400)}{why}{by}")
    return "\n".join(lines)


def _task_lines(tasks: Sequence[Task]) -> str:
    """The checklist tasks its workflows added that nobody has ticked yet."""
    if not tasks:
        return ""
    lines = [f"*Open tasks ({len(tasks)})*"]
    lines += [f"☐ {clip(one_line(t.text), 300)}" for t in tasks[:ITEMS_SHOWN]]
    if len(tasks) > ITEMS_SHOWN:
        lines.append(f"…and {len(tasks) - ITEMS_SHOWN} more: `/incident tasks`")
    return "\n".join(lines)


def _item_lines(items: Sequence[ActionItem]) -> str:
    if not items:
        return ""
    lines = [f"*Open action items ({len(items)})*"]
    for item in items[:ITEMS_SHOWN]:
        owner = f"<@{item.owner}>" if item.owner else "no owner yet"
        due = f"due {item.due.isoformat()}" if item.due else "no due date"
        lines.append(f"• {ref(item)} {clip(one_line(item.text), 300)} — {owner}, {due}")
    if len(items) > ITEMS_SHOWN:
        lines.append(f"…and {len(items) - ITEMS_SHOWN} more: `/incident actions all`")
    return "\n".join(lines)
