"""Block Kit for action items and their reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
    UserSelectElement,
)

from bot.followups.items import ITEM_TEXT_MAX, due_day, ref
from bot.models import ActionItem
from bot.slack import ids
from bot.slack.blocks import MESSAGE_BLOCKS_MAX, clip, one_line, pack, plural

PRIORITY_EMOJI = {"high": ":small_red_triangle:", "medium": ":small_orange_diamond:", "low": ""}


def due_phrase(due: date | None, today: date) -> str:
    """How far off a due date is, from the reader's `today`, with the date itself."""
    if due is None:
        return "no due date"
    days = (due - today).days
    if days < 0:
        return f":warning: *overdue by {plural(-days, 'day')}* (due {due_day(due)})"
    if days == 0:
        return f"*due today* ({due_day(due)})"
    if days == 1:
        return f"due tomorrow ({due_day(due)})"
    return f"due {due_day(due)}"


def item_line(item: ActionItem, today: date, *, with_incident: bool = True) -> str:
    """One open item; its priority mark and type only when someone chose them."""
    owner = f"<@{item.owner}>" if item.owner else "_no owner_"
    where = ""
    if with_incident and item.incident is not None:
        where = f" · incident {item.incident.number}"
    mark = PRIORITY_EMOJI.get(item.priority or "", "")
    kind = f" · {item.type}" if item.type else ""
    return (
        f"{mark} *{ref(item)}* {one_line(item.text)} — {owner}, {due_phrase(item.due, today)}"
        f"{kind}{where}"
    ).strip()


def action_list(items: Sequence[ActionItem], today: date, title: str) -> list[Block]:
    """`/incident actions`: one ephemeral message, within 50 blocks, saying what didn't fit."""
    if not items:
        return [SectionBlock(text=MarkdownTextObject(text=f"{title}: none open. :tada:"))]
    blocks: list[Block] = [HeaderBlock(text=clip(f"{title} ({len(items)} open)", 150))]
    sections = pack([(item_line(i, today), 1) for i in items])
    room = MESSAGE_BLOCKS_MAX - 2
    blocks.extend(SectionBlock(text=MarkdownTextObject(text=t)) for t, _ in sections[:room])
    if len(sections) > room:
        shown = sum(n for _, n in sections[:room])
        more = f"…and {len(items) - shown} more not shown."
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def item_controls(item: ActionItem) -> ActionsBlock:
    """Done / Snooze a week / Reassign / Re-date, for one item (the block id carries it)."""
    value = str(item.id)
    return ActionsBlock(
        block_id=f"{ids.ACTION_ITEM_BLOCK}:{item.id}",
        elements=[
            ButtonElement(text="Done", action_id=ids.ACTION_DONE, value=value, style="primary"),
            ButtonElement(text="Snooze a week", action_id=ids.ACTION_SNOOZE, value=value),
            UserSelectElement(action_id=ids.ACTION_REASSIGN, placeholder="Reassign"),
            DatePickerElement(
                action_id=ids.ACTION_REDATE,
                placeholder="Re-date",
                initial_date=item.due.isoformat() if item.due else None,
            ),
        ],
    )


def reminder(item: ActionItem, stage: str, today: date) -> tuple[str, list[Block]]:
    """The DM: what, when, which incident, and the buttons to act on it."""
    where = f" from incident {item.incident.number}" if item.incident is not None else ""
    if stage.startswith("assign"):
        head = f":bust_in_silhouette: Action item {ref(item)}{where} has no owner: assign one."
    elif stage == "overdue":
        head = f":warning: Action item {ref(item)}{where} is overdue."
    else:
        head = f":alarm_clock: Action item {ref(item)}{where} is due soon."
    body = f"{head}\n>{clip(item.text, ITEM_TEXT_MAX)}\n{due_phrase(item.due, today)}"
    return head, [SectionBlock(text=MarkdownTextObject(text=body)), item_controls(item)]


def closed_line(item: ActionItem, user: str) -> str:
    return f":white_check_mark: {ref(item)} done (closed by <@{user}>): {item.text}"


def delivery_problem(what: str, user: str, commander: str | None, why: str) -> str:
    boss = f" <@{commander}>, please pass it on." if commander else ""
    return f":warning: Couldn't DM <@{user}> {what}: {why}.{boss}"
