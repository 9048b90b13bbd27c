"""`summary TEXT` and `impact TEXT`: what the incident is and what customers see."""

from __future__ import annotations

from bot.incidents.details import set_detail
from bot.incidents.service import refuse_if_blank
from handlers.commands.invocation import Invocation, Reply


def detail(inv: Invocation) -> Reply:
    """Set the summary or the impact; recorded, posted, and the card redrawn."""
    field, usage = inv.command.name, inv.command.usage
    text = refuse_if_blank(inv.command.rest, usage)
    incident, _ = inv.service.change(
        inv.channel,
        inv.user,
        usage,
        lambda s, i, now: set_detail(
            s, i, now=now, user=inv.user, field=field, text=text, usage=usage
        ),
    )
    inv.service.refresh_card(incident)  # a note does not redraw the card by itself
    return Reply()
