"""`/incident help`: every subcommand's form, and how times and due dates are read."""

from __future__ import annotations

from slack_sdk.models.blocks import Block

from bot.slack.blocks import section
from handlers.commands.grammar import USAGE
from handlers.commands.invocation import Invocation, Reply


def help_text(zone: str, own_zone: bool) -> tuple[str, list[Block]]:
    """The forms of every subcommand, and how times are read (in `zone`, the reader's)."""
    lines = ["*`/incident` commands*"] + [f"`{usage}`" for usage in USAGE.values()]
    whose = "your Slack time zone" if own_zone else "INCIDENT_TIMEZONE: Slack has no zone for you"
    lines += [
        f"TIME is read in *{zone}* ({whose}): `HH:MM` is its most recent past occurrence "
        "(`23:50` typed at 00:10 is yesterday's), also `yesterday HH:MM`, `YYYY-MM-DD HH:MM`, "
        "or ISO-8601 with an offset.",
        "DATE (after `due`) is `YYYY-MM-DD`, `today`, `tomorrow`, `in N days`, `in N weeks`, "
        "a weekday (`friday`: the coming one, today on a Friday), `next friday` (next week's) "
        "or `eow` (this week's Friday). Reminders come at 09:00 in the owner's zone on a "
        "working day.",
        "React with :pushpin: to add a message to the timeline.",
    ]
    text = "\n".join(lines)
    return text, [section(text)]


def answer(inv: Invocation) -> Reply:
    """The help, naming the zone this person's times are read in (users.info, cached)."""
    person = inv.service.deps.people.get(inv.user)
    own = person.zone if person is not None else None
    zone = own or inv.service.settings.zone
    return Reply(*help_text(zone.key, own is not None))
