"""`update [--public] TEXT`: `--public` publishes it on the status page (the first time after
a confirmation modal showing exactly what will be public)."""

from __future__ import annotations

from bot.errors import IncidentError
from bot.statuspage.rules import from_slack
from bot.statuspage.service import PublicUpdates
from handlers.commands.grammar import parse_update
from handlers.commands.invocation import Invocation, Reply


def update(inv: Invocation) -> Reply:
    """Publish a public update, or open its confirmation; stakeholder updates (without
    `--public`) are another issue's and land with it."""
    public, text = parse_update(inv.command.rest)
    if not text:
        raise IncidentError(f"Missing text. Use: `{inv.command.usage}`")
    if not public:
        raise IncidentError(
            "Stakeholder updates are not in this version yet; `/incident update --public TEXT` "
            "publishes on the status page."
        )
    view = PublicUpdates(inv.service).submit(inv.channel, inv.user, from_slack(text))
    if view is not None:
        return Reply(view=view)
    return Reply()
