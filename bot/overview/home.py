"""App Home: open incidents, the viewer's roles and action items, and a Declare button."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
)
from slack_sdk.models.views import View
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import human_duration
from bot.incidents import lifecycle as incidents
from bot.incidents.details import detail_lines
from bot.incidents.messages import SEVERITY_EMOJI
from bot.incidents.service import IncidentService
from bot.models import ActionItem, Incident, RoleAssignment
from bot.slack import ids
from bot.slack.blocks import chunked_sections

# Slack allows 100 blocks in a Home view; each list gets a share of lines (and so of blocks
# and bytes) and says what didn't fit and where to see it all.
INCIDENT_LINES = (100, "`/incident list` shows them all")
ROLE_LINES = (25, "`/incident list` shows every open incident")
ACTION_LINES = (50, "`/incident actions mine` lists them all")


def home_view(session: Session, viewer: str, zone: ZoneInfo, now: datetime) -> View:
    """The viewer's Home tab, built from the database; private incidents only for members."""
    open_now = incidents.open_incidents(session, viewer)
    blocks: list[Block] = [
        HeaderBlock(text="Incidents"),
        ActionsBlock(
            block_id="home-actions",
            elements=[
                ButtonElement(
                    text="Declare an incident", action_id=ids.HOME_DECLARE, style="danger"
                )
            ],
        ),
        HeaderBlock(text=f"Open incidents ({len(open_now)})"),
    ]
    blocks += _section(
        [incident_line(i, now) for i in open_now], "No open incidents. :tada:", INCIDENT_LINES
    )
    blocks += [DividerBlock(), HeaderBlock(text="Your roles")]
    blocks += _section(_role_lines(session, viewer), "You hold no incident role.", ROLE_LINES)
    blocks += [DividerBlock(), HeaderBlock(text="Your open action items")]
    blocks += _section(
        _action_lines(session, viewer), "No open action items. :sparkles:", ACTION_LINES
    )
    stamp = now.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Updated {stamp}")]))
    return View(type="home", blocks=blocks)


def incident_line(incident: Incident, now: datetime) -> str:
    """Severity, number, channel, title, status, commander and age, on one line."""
    age = human_duration(int((now - incident.declared_at).total_seconds()))
    ic = f"IC <@{incident.commander}>" if incident.commander else "no IC"
    lock = ":lock: " if incident.private else ""
    return (
        f"{SEVERITY_EMOJI[incident.severity]} {lock}*{incident.severity.upper()}* "
        f"<#{incident.channel_id}> · incident {incident.number}: {incident.title[:120]} — "
        f"{incident.status} · {ic} · {age} old"
    ) + "".join(f"\n      {line}" for line in detail_lines(incident, 150))


def _role_lines(session: Session, viewer: str) -> list[str]:
    rows = session.execute(
        select(RoleAssignment.role, Incident)
        .join(Incident, RoleAssignment.incident_id == Incident.id)
        .where(RoleAssignment.user_id == viewer, Incident.resolved_at.is_(None))
        .order_by(Incident.severity, Incident.declared_at)
    ).all()
    return [
        f"*{role}* of <#{inc.channel_id}> · incident {inc.number}: {inc.title[:120]}"
        for role, inc in rows
        if incidents.can_see(inc, viewer)
    ]


def _action_lines(session: Session, viewer: str) -> list[str]:
    items = session.scalars(
        select(ActionItem)
        .where(ActionItem.owner == viewer, ActionItem.status == "open")
        .order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.id)
    ).all()
    lines = []
    for item in items:
        due = f"due {item.due.isoformat()}" if item.due else "no due date"
        where = ""
        if item.incident is not None and incidents.can_see(item.incident, viewer):
            where = f" (incident {item.incident.number})"
        lines.append(f"• `AI-{item.id}` {item.text[:200]} — {due}{where}")
    return lines


def _section(lines: list[str], empty: str, cap: tuple[int, str]) -> list[Block]:
    if not lines:
        return [ContextBlock(elements=[MarkdownTextObject(text=empty)])]
    most, where = cap
    blocks = chunked_sections(lines[:most], max_blocks=30)
    if len(lines) > most:
        more = f"…and {len(lines) - most} more: {where}."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def publish_home(service: IncidentService, user: str) -> None:
    """Build the viewer's Home tab and publish it (views.publish)."""
    with service.db.unit_of_work() as session:
        view = home_view(session, user, service.settings.zone, service.now())
    service.slack.publish_home(user, view)
