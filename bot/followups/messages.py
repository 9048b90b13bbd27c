"""Block Kit for action items, reminders, nudges and the weekly digest (slack_sdk objects)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.followups.items import ITEM_TEXT_MAX, PRIORITIES, TYPES, ref
from bot.incidents.messages import SECTION_TEXT_MAX, clip, plain_when
from bot.incidents.rules import human_duration
from bot.models import ActionItem
from bot.overview.digest import DigestReport, ItemRow
from bot.slack import ids

MESSAGE_BLOCKS_MAX = 50
DIGEST_MESSAGES_MAX = 10  # more than this is a wall; the rest is counted, never dropped silently
PRIORITY_EMOJI = {"high": ":small_red_triangle:", "medium": ":small_orange_diamond:", "low": ""}


def due_phrase(due: date | None, today: date) -> str:
    if due is None:
        return "no due date"
    days = (due - today).days
    if days < 0:
        return f":warning: *overdue {-days}d* (due {due.isoformat()})"
    if days == 0:
        return f"*due today* ({due.isoformat()})"
    return f"due {due.isoformat()}" + (" (tomorrow)" if days == 1 else "")


def item_line(item: ActionItem, today: date, *, with_incident: bool = True) -> str:
    owner = f"<@{item.owner}>" if item.owner else "_no owner_"
    where = ""
    if with_incident and item.incident is not None:
        where = f" · incident {item.incident.number}"
    mark = PRIORITY_EMOJI.get(item.priority, "")
    return (
        f"{mark} *{ref(item)}* {one_line(item.text)} — {owner}, {due_phrase(item.due, today)}"
        f" · {item.type}{where}"
    ).strip()


def pack(
    entries: Sequence[tuple[str, int]], limit: int = SECTION_TEXT_MAX
) -> list[tuple[str, int]]:
    """Join (line, weight) into section texts under Slack's limit, summing weights.

    A line too long for one section is marked as cut rather than cut silently.
    """
    out: list[tuple[str, int]] = []
    chunk: list[str] = []
    weight = size = 0
    for line, w in entries:
        line = clip(line, limit)
        if chunk and size + 1 + len(line) > limit:
            out.append(("\n".join(chunk), weight))
            chunk, weight, size = [], 0, 0
        size += len(line) + (1 if chunk else 0)
        chunk.append(line)
        weight += w
    if chunk:
        out.append(("\n".join(chunk), weight))
    return out


def one_line(text: str) -> str:
    return " ".join(text.split())


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


def nudge(number: int, commander: str | None, reason: str, quiet_for: int) -> str:
    who = f"<@{commander}>" if commander else "Whoever is commanding"
    if reason == "unowned":
        return (
            f":bust_in_silhouette: {who}, incident {number} has had no commander change and no "
            f"milestone for {human_duration(quiet_for)}. Confirm who is commanding "
            "(`/incident role commander @someone`) or record a milestone."
        )
    return (
        f":speech_balloon: {who}, incident {number} has been quiet for "
        f"{human_duration(quiet_for)}. Please post an update: `/incident note TEXT` or "
        "`/incident status …`."
    )


def delivery_problem(what: str, user: str, commander: str | None, why: str) -> str:
    boss = f" <@{commander}>, please pass it on." if commander else ""
    return f":warning: Couldn't DM <@{user}> {what}: {why}.{boss}"


# --- the weekly digest --------------------------------------------------------------------
def _digest_item(item: ItemRow, report: DigestReport) -> str:
    if item.private:
        return (
            f"• :lock: *{ref(item.id)}* (private incident) — {due_phrase(item.due, report.today)}"
        )
    return f"• *{ref(item.id)}* {one_line(item.text)} — {due_phrase(item.due, report.today)}"


def _grouped(items: Sequence[ItemRow], report: DigestReport) -> list[tuple[str, bool]]:
    lines: list[tuple[str, bool]] = []
    owner_seen: object = object()
    incident_seen: object = object()
    for item in items:
        if item.owner != owner_seen:
            owner_seen, incident_seen = item.owner, object()
            lines.append((f"*<@{item.owner}>*" if item.owner else "*No owner*", False))
        if item.incident_number != incident_seen:
            incident_seen = item.incident_number
            if item.incident_number is None:
                title = "_no incident_"
            elif item.private:
                title = f"_incident {item.incident_number} (private)_"
            else:
                title = f"_incident {item.incident_number}: {item.incident_title}_"
            lines.append((title, False))
        lines.append((_digest_item(item, report), True))
    return lines


def _incident_line(row: object, report: DigestReport, resolved: bool) -> str:
    title = "(private)" if row.private else row.title  # type: ignore[attr-defined]
    head = f"• *{row.number}* {row.severity.upper()} {title}"  # type: ignore[attr-defined]
    if resolved:
        return f"{head} — resolved, time to resolve {human_duration(row.time_to_resolve)}"  # type: ignore[attr-defined]
    return f"{head} — declared {plain_when(row.declared_at, report.zone)}"  # type: ignore[attr-defined]


def digest_lines(report: DigestReport) -> list[tuple[str, bool]]:
    """(line, is_item) in reading order: overdue first, then open, closed, incidents."""
    overdue = [i for i in report.open_items if report.is_overdue(i)]
    upcoming = [i for i in report.open_items if not report.is_overdue(i)]
    lines: list[tuple[str, bool]] = [
        (
            f"*{report.open_total} open action items*, {report.overdue_total} overdue · "
            f"{report.closed_total} closed this week · {len(report.declared)} incidents "
            f"declared, {len(report.resolved)} resolved",
            False,
        )
    ]
    if overdue:
        lines.append((":rotating_light: *Overdue*", False))
        lines.extend(_grouped(overdue, report))
    if upcoming:
        lines.append((":clipboard: *Open*", False))
        lines.extend(_grouped(upcoming, report))
    if report.closed_items:
        lines.append((":white_check_mark: *Closed this week*", False))
        lines.extend((_digest_item(i, report), True) for i in report.closed_items)
    if report.declared:
        lines.append((":fire: *Declared this week*", False))
        lines.extend((_incident_line(r, report, False), False) for r in report.declared)
    if report.resolved:
        lines.append((":checkered_flag: *Resolved this week*", False))
        lines.extend((_incident_line(r, report, True), False) for r in report.resolved)
    return lines


def digest_messages(report: DigestReport) -> list[tuple[str, list[Block]]]:
    """Split across messages (≤ 50 blocks, ≤ 3000 chars a section); a cap says what's left."""
    sections = pack([(line, int(is_item)) for line, is_item in digest_lines(report)])
    counts = [n for _, n in sections]
    per_message = MESSAGE_BLOCKS_MAX - 2
    batches = [sections[i : i + per_message] for i in range(0, len(sections), per_message)]
    kept = batches[:DIGEST_MESSAGES_MAX]
    hidden = sum(counts) - sum(counts[: sum(len(b) for b in kept)]) + report.not_listed
    messages: list[tuple[str, list[Block]]] = []
    for index, batch in enumerate(kept, start=1):
        suffix = f" ({index}/{len(kept)})" if len(kept) > 1 else ""
        title = f"Weekly incident digest {report.week}{suffix}"
        body: list[Block] = [HeaderBlock(text=title)] if index == 1 else []
        if index > 1:
            body.append(ContextBlock(elements=[MarkdownTextObject(text=title)]))
        body.extend(SectionBlock(text=MarkdownTextObject(text=t)) for t, _ in batch)
        messages.append((title, body))
    if hidden:
        more = (
            f"…and {hidden} more action items not shown here: "
            "`/incident actions all` lists every open one."
        )
        messages[-1][1].append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return messages


# --- the "Add action item" modal ----------------------------------------------------------
def action_item_modal(channel: str) -> View:
    priorities = [Option(text=p, value=p) for p in PRIORITIES]
    types = [Option(text=t, value=t) for t in TYPES]
    return View(
        type="modal",
        callback_id=ids.ACTION_ITEM_MODAL,
        title="Add action item",
        submit="Add",
        close="Cancel",
        private_metadata=json.dumps({"channel": channel}),
        blocks=[
            InputBlock(
                block_id=ids.TEXT_INPUT,
                label="What needs doing?",
                element=PlainTextInputElement(action_id=ids.TEXT_INPUT, max_length=ITEM_TEXT_MAX),
            ),
            InputBlock(
                block_id=ids.OWNER_INPUT,
                label="Owner",
                optional=True,
                element=UserSelectElement(action_id=ids.OWNER_INPUT),
            ),
            InputBlock(
                block_id=ids.DUE_INPUT,
                label="Due",
                optional=True,
                element=DatePickerElement(action_id=ids.DUE_INPUT),
            ),
            InputBlock(
                block_id=ids.PRIORITY_INPUT,
                label="Priority",
                element=StaticSelectElement(
                    action_id=ids.PRIORITY_INPUT, options=priorities, initial_option=priorities[1]
                ),
            ),
            InputBlock(
                block_id=ids.TYPE_INPUT,
                label="Type",
                element=StaticSelectElement(
                    action_id=ids.TYPE_INPUT, options=types, initial_option=types[1]
                ),
            ),
        ],
    )
