"""`/incident help`: every subcommand's form, answered in the ack."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.slack.blocks import section
from handlers.commands.grammar import USAGE
from handlers.commands.invocation import Invocation, Reply


def help_text() -> tuple[str, list[Block]]:
    """The forms of every subcommand, and how times are read."""
    lines = ["*`/incident` commands*"] + [f"`{usage}`" for usage in USAGE.values()]
    lines.append(
        "TIME is `HH:MM`, `YYYY-MM-DD HH:MM` or ISO-8601 with an offset. "
        "React with :pushpin: to add a message to the timeline."
    )
    text = "\n".join(lines)
    return text, [section(text)]


def answer(inv: Invocation) -> Reply:
    """The help, as a reply (the listener answers it in the ack already)."""
    return Reply(*help_text())
