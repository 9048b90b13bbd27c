"""The `timeline` view: readable, paginated, always within Block Kit limits."""

from __future__ import annotations

import math
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    SectionBlock,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.incidents import lifecycle
from bot.incidents.membership import Membership
from bot.incidents.messages import entry_line
from bot.models import Incident, TimelineEntry
from bot.slack import ids
from bot.slack.blocks import clip
from bot.wiring import Deps

FIXED_KINDS = ("milestone",)  # mirror the incident's milestones: changed by command only
PAGE_SIZE = 20  # one section per entry + header/context/actions stays far below 50 blocks


def entry_count(session: Session, incident: Incident) -> int:
    """Entries on the timeline, not counting removed ones."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(TimelineEntry)
            .where(TimelineEntry.incident_id == incident.id, TimelineEntry.removed.is_(False))
        )
        or 0
    )


def page_window(total: int, page: int) -> tuple[int, int]:
    """(offset, limit) of a page; pages are cut from the newest end so the latest is full."""
    pages = max(1, math.ceil(total / PAGE_SIZE))
    end = total - (pages - page) * PAGE_SIZE
    start = max(0, end - PAGE_SIZE)
    return start, max(0, end - start)


def page_for_viewer(deps: Deps, number: int, page: int, viewer: str) -> tuple[str, list[Block]]:
    """One page of an incident's timeline, for someone allowed to see it: a private one only
    for those Slack says are in its channel (the number may come from a forged button)."""
    with deps.db.unit_of_work() as session:
        incident = lifecycle.by_number(session, number)
    if incident.private and not Membership(deps).is_member(incident, viewer):
        raise lifecycle.no_such_incident(number)
    with deps.db.unit_of_work() as session:
        return timeline_page(session, incident, deps.settings.zone, page)


def timeline_page(
    session: Session, incident: Incident, zone: ZoneInfo, page: int | None = None
) -> tuple[str, list[Block]]:
    """One page of the timeline (default: the latest); pages run oldest to newest."""
    total = entry_count(session, incident)
    pages = max(1, math.ceil(total / PAGE_SIZE))
    page = pages if page is None else min(max(page, 1), pages)
    offset, limit = page_window(total, page)
    entries = session.scalars(
        select(TimelineEntry)
        .where(TimelineEntry.incident_id == incident.id, TimelineEntry.removed.is_(False))
        .order_by(TimelineEntry.at, TimelineEntry.id)
        .offset(offset)
        .limit(limit)
    ).all()
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Timeline of incident {incident.number}: {incident.title}", 150))
    ]
    blocks += [
        SectionBlock(
            block_id=f"entry-{e.id}",
            text=MarkdownTextObject(text=clip(entry_line(e, zone))),
            accessory=entry_menu(e, page) if e.kind not in FIXED_KINDS else None,
        )
        for e in entries
    ]
    if not entries:
        blocks.append(SectionBlock(text=MarkdownTextObject(text="_Nothing recorded yet._")))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"Page {page} of {pages}")]))
    buttons = []
    if page > 2:
        buttons.append(_page_button("⏮ First", incident, 1))
    if page > 1:
        buttons.append(_page_button("◀ Earlier", incident, page - 1))
    if page < pages:
        buttons.append(_page_button("Later ▶", incident, page + 1))
    if page < pages - 1:
        buttons.append(_page_button("Latest ⏭", incident, pages))
    if buttons:
        blocks.append(ActionsBlock(block_id="timeline-pages", elements=buttons))
    return f"Timeline of incident {incident.number} (page {page} of {pages})", blocks


def _page_button(label: str, incident: Incident, page: int) -> ButtonElement:
    return ButtonElement(
        text=label, action_id=f"{ids.TIMELINE_PAGE}_{page}", value=f"{incident.number}:{page}"
    )


def entry_menu(entry: TimelineEntry, page: int) -> OverflowMenuElement:
    """Edit / Remove for one entry; the value carries the entry and the page to come back to."""
    return OverflowMenuElement(
        action_id=ids.TIMELINE_ENTRY_MENU,
        options=[
            Option(text="Edit time or text", value=f"edit:{entry.id}:{page}"),
            Option(text="Remove from timeline", value=f"remove:{entry.id}:{page}"),
        ],
    )
