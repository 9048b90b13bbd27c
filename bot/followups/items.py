"""Action-item use cases: take a Session and an explicit `now`, return domain objects, never commit.

Items outlive their incident's channel: they are rows, listed and closed from anywhere.
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.errors import IncidentError, NotFound
from bot.incidents.lifecycle import add_entry, can_see
from bot.models import ActionItem, Incident, TimelineEntry
from bot.parsing import WEEKDAYS, check_text

log = logging.getLogger(__name__)

PRIORITIES = ("high", "medium", "low")
TYPES = ("mitigate", "prevent", "process")
ITEM_TEXT_MAX = 500
SNOOZE_DAYS = 7
_REF = re.compile(r"^(?:ai-?|#)?(\d{1,9})$", re.IGNORECASE)
_BARE_AT = re.compile(r"(?:^|\s)@([\w.\-]+)\s*$")


def ref(item: ActionItem | int) -> str:
    """How an action item is named to people: `AI-12`."""
    return f"AI-{item if isinstance(item, int) else item.id}"


def parse_ref(text: str) -> int:
    """`AI-12`, `ai12`, `#12` or `12` -> 12."""
    match = _REF.match(text.strip())
    if not match:
        raise IncidentError(f"`{text}` is not an action item: use its id, like `AI-12` or `12`.")
    return int(match.group(1))


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    value = value.strip().lower()
    if value not in choices:
        raise IncidentError(f"`{value}` is not a {what}: use one of {', '.join(choices)}.")
    return value


def check_item_text(text: str) -> str:
    """The item text; a bare `@name` at the end is an owner Slack didn't resolve."""
    text = check_text(text, "action item", ITEM_TEXT_MAX)
    if match := _BARE_AT.search(text):
        raise IncidentError(
            f"`@{match.group(1)}` is not a person Slack knows: pick the owner from the @ menu "
            "so Slack sends a mention."
        )
    return text


def local_today(now: datetime, zone: ZoneInfo) -> date:
    return now.astimezone(zone).date()


def earliest_today(now: datetime) -> date:
    """The earliest calendar date anywhere right now (UTC−12): a day picked in a date picker
    is in the past for nobody if it is not before this one."""
    return (now.astimezone(UTC) - timedelta(hours=12)).date()


def add_action_item(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: str,
    text: str,
    owner: str | None = None,
    due: date | None = None,
    priority: str | None = None,
    type_: str | None = None,
) -> tuple[ActionItem, TimelineEntry]:
    """Create a follow-up of this incident and record it on the timeline; type and priority
    only when someone chose them."""
    item = ActionItem(
        incident=incident,
        text=check_item_text(text),
        owner=owner,
        due=due,
        priority=check_choice(priority, PRIORITIES, "priority") if priority else None,
        type=check_choice(type_, TYPES, "type") if type_ else None,
        status="open",
        created_by=user,
        created_at=now,
    )
    session.add(item)
    session.flush()
    entry = add_entry(
        session, incident, at=now, kind="action", text=describe(item), author=user, now=now
    )
    return item, entry


def describe(item: ActionItem) -> str:
    """One line for the timeline and the channel: id, text, owner, due (type and priority
    when someone chose them)."""
    owner = f"<@{item.owner}>" if item.owner else "no owner yet"
    due = f"due {due_day(item.due)}" if item.due else "no due date"
    labels = ", ".join(
        label for label in (item.type, item.priority and f"{item.priority} priority") if label
    )
    chosen = f" ({labels})" if labels else ""
    return f"Action item {ref(item)}{chosen}: {item.text} — {owner}, {due}"


def due_day(day: date) -> str:
    """`Fri 2026-12-04`: the weekday too, so `due friday` shows which Friday was meant."""
    return f"{WEEKDAYS[day.weekday()][:3].capitalize()} {day.isoformat()}"


def get_visible(session: Session, item_id: int, viewer: str, *, lock: bool = False) -> ActionItem:
    """The item if this person may see it; a private incident's items are hidden from others."""
    query = select(ActionItem).where(ActionItem.id == item_id)
    if lock:
        query = query.with_for_update()
    item = session.scalar(query)
    if item is None or not visible(item, viewer):
        raise no_such_item(item_id)
    return item


def visible(item: ActionItem, viewer: str) -> bool:
    """A private incident's items are for its channel's members, and each for its owner (a
    member gave it to them, and their reminders show it)."""
    return item.incident is None or item.owner == viewer or can_see(item.incident, viewer)


def no_such_item(item_id: int) -> NotFound:
    """What someone is told of an item that doesn't exist or that they may not see."""
    return NotFound(f"There is no action item {ref(item_id)}. `/incident actions` lists yours.")


def _require_open(item: ActionItem) -> None:
    if item.status != "open":
        raise IncidentError(f"Action item {ref(item)} is already done.")


def _record(
    session: Session, item: ActionItem, *, now: datetime, user: str, text: str
) -> TimelineEntry | None:
    if item.incident is None:
        return None
    return add_entry(session, item.incident, at=now, kind="action", text=text, author=user, now=now)


def close_action_item(
    session: Session, item_id: int, *, now: datetime, user: str
) -> tuple[ActionItem, TimelineEntry | None]:
    """Mark done; anyone who can see the item may close it (the timeline says who)."""
    item = get_visible(session, item_id, user, lock=True)
    _require_open(item)
    item.status, item.closed_at, item.closed_by = "done", now, user
    entry = _record(session, item, now=now, user=user, text=f"Action item {ref(item)} done")
    return item, entry


def reassign_action_item(
    session: Session, item_id: int, *, now: datetime, user: str, owner: str
) -> tuple[ActionItem, TimelineEntry | None]:
    item = get_visible(session, item_id, user, lock=True)
    _require_open(item)
    if item.owner == owner:
        raise IncidentError(f"<@{owner}> already owns action item {ref(item)}.")
    item.owner = owner
    text = f"Action item {ref(item)} reassigned to <@{owner}>"
    return item, _record(session, item, now=now, user=user, text=text)


def redate_action_item(
    session: Session, item_id: int, *, now: datetime, user: str, due: date, zone: ZoneInfo
) -> tuple[ActionItem, TimelineEntry | None]:
    if due < local_today(now, zone):
        raise IncidentError(f"{due.isoformat()} is in the past: a due date must be today or later.")
    item = get_visible(session, item_id, user, lock=True)
    _require_open(item)
    item.due = due
    text = f"Action item {ref(item)} now due {due.isoformat()}"
    return item, _record(session, item, now=now, user=user, text=text)


def snooze_action_item(
    session: Session, item_id: int, *, now: datetime, user: str, zone: ZoneInfo
) -> tuple[ActionItem, TimelineEntry | None]:
    """Due a week from today (or from the current due date, if that is later)."""
    item = get_visible(session, item_id, user)
    base = max(item.due or local_today(now, zone), local_today(now, zone))
    return redate_action_item(
        session, item_id, now=now, user=user, due=base + timedelta(days=SNOOZE_DAYS), zone=zone
    )


def list_action_items(
    session: Session,
    viewer: str,
    *,
    scope: str = "mine",
    incident: Incident | None = None,
    limit: int = 500,
) -> list[ActionItem]:
    """Open items: the viewer's own, one incident's, or all the viewer may see; due first."""
    query = (
        select(ActionItem)
        .where(ActionItem.status == "open")
        .options(selectinload(ActionItem.incident))
        .order_by(ActionItem.due.is_(None), ActionItem.due, ActionItem.id)
    )
    if scope == "mine":
        query = query.where(ActionItem.owner == viewer)
    elif incident is not None:
        query = query.where(ActionItem.incident_id == incident.id)
    rows = session.scalars(query.limit(limit)).all()
    return [i for i in rows if visible(i, viewer)]


def overdue(item: ActionItem, today: date) -> bool:
    return item.status == "open" and item.due is not None and item.due < today
