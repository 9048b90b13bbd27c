"""The weekly digest as Slack messages: overdue first, within Block Kit's limits."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.clock import human_duration
from bot.followups.items import ref
from bot.followups.messages import due_phrase
from bot.incidents.details import detail_lines
from bot.overview.digest import DigestReport, ItemRow
from bot.slack.blocks import MESSAGE_BLOCKS_MAX, one_line, pack, plain_when, plural

DIGEST_MESSAGES_MAX = 10  # more than this is a wall; the rest is counted, never dropped silently


def _digest_item(item: ItemRow, report: DigestReport) -> str:
    due = due_phrase(item.due, item.today or report.today)  # the owner's calendar
    if item.private:
        return f"• :lock: *{ref(item.id)}* (private incident) — {due}"
    return f"• *{ref(item.id)}* {one_line(item.text)} — {due}"


def _grouped(items: Sequence[ItemRow], report: DigestReport) -> list[tuple[str, bool]]:
    """Items by owner and incident; a private incident's items apart, naming nobody (the
    digest channel is not its members')."""
    lines: list[tuple[str, bool]] = []
    owner_seen: object = object()
    incident_seen: object = object()
    for item in (i for i in items if not i.private):
        if item.owner != owner_seen:
            owner_seen, incident_seen = item.owner, object()
            lines.append((f"*<@{item.owner}>*" if item.owner else "*No owner*", False))
        if item.incident_number != incident_seen:
            incident_seen = item.incident_number
            if item.incident_number is None:
                title = "_no incident_"
            else:
                title = f"_incident {item.incident_number}: {item.incident_title}_"
            lines.append((title, False))
        lines.append((_digest_item(item, report), True))
    hidden = [i for i in items if i.private]
    if hidden:
        lines.append(("*:lock: Private incidents*", False))
        lines.extend((_digest_item(item, report), True) for item in hidden)
    return lines


def _incident_line(row: object, report: DigestReport, resolved: bool) -> str:
    title = "(private)" if row.private else row.title  # type: ignore[attr-defined]
    # "Incident 1", never a bare "*1*" that reads like a count
    head = f"• Incident {row.number} · {row.severity.upper()} · {title}"  # type: ignore[attr-defined]
    if resolved:
        line = f"{head} — resolved, time to resolve {human_duration(row.time_to_resolve)}"  # type: ignore[attr-defined]
    else:
        line = f"{head} — declared {plain_when(row.declared_at, report.zone)}"  # type: ignore[attr-defined]
    if row.private:  # type: ignore[attr-defined]
        return line  # a private incident's summary and impact are its members' business
    return line + "".join(f"\n      {x}" for x in detail_lines(row, 150))


def digest_lines(report: DigestReport) -> list[tuple[str, bool]]:
    """(line, is_item) in reading order: overdue first, then open, closed, incidents."""
    overdue = [i for i in report.open_items if report.is_overdue(i)]
    upcoming = [i for i in report.open_items if not report.is_overdue(i)]
    lines: list[tuple[str, bool]] = [
        (
            f"*{plural(report.open_total, 'open action item')}*, {report.overdue_total} "
            f"overdue · {report.closed_total} closed this week · "
            f"{plural(len(report.declared), 'incident')} declared, "
            f"{len(report.resolved)} resolved",
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
            f"…and {plural(hidden, 'more action item')} not shown here: "
            "`/incident actions all` lists every open one."
        )
        messages[-1][1].append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return messages
