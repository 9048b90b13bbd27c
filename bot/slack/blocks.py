"""Block Kit pieces every domain uses: times, counts, clipping, packing lines into sections."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, Option, SectionBlock

SECTION_TEXT_MAX = 3000
MESSAGE_BLOCKS_MAX = 50


def when(moment: datetime, zone: ZoneInfo) -> str:
    """Slack renders <!date> in each reader's own zone; the fallback uses INCIDENT_TIMEZONE."""
    fallback = moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def plain_when(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as local wall-clock text, for places where Slack renders no <!date>."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 incident`, `2 incidents`, `0 action items`; `many` for irregular plurals."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def clip(text: str, limit: int = SECTION_TEXT_MAX) -> str:
    """Fit a section's limit, saying so rather than cutting silently."""
    return text if len(text) <= limit else text[: limit - 12].rstrip() + " …(cut)"


def one_line(text: str) -> str:
    """Text with its line breaks and runs of spaces folded, for list lines."""
    return " ".join(text.split())


def options(values: Sequence[str]) -> list[Option]:
    """Select options whose label is their value."""
    return [Option(text=v, value=v) for v in values]


def section(text: str) -> SectionBlock:
    """One mrkdwn section, clipped to Slack's limit."""
    return SectionBlock(text=MarkdownTextObject(text=clip(text)))


def context(text: str) -> ContextBlock:
    """One line of small print."""
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


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


def chunked_sections(lines: Sequence[str], max_blocks: int) -> list[Block]:
    """Pack lines into at most `max_blocks` sections; the last block says what didn't fit."""
    sections = pack([(line, 1) for line in lines])
    if len(sections) <= max_blocks:
        return [section(text) for text, _ in sections]
    shown = sections[: max_blocks - 1]
    rest = len(lines) - sum(n for _, n in shown)
    return [*(section(text) for text, _ in shown), context(f"…and {rest} more")]
