"""`update --public TEXT`: the stakeholder update, also published on the status page (the
incident's first public update after a confirmation modal showing exactly what will be public)."""

from __future__ import annotations

from bot.errors import IncidentError
from bot.statuspage.rules import from_slack
from bot.statuspage.service import PublicUpdates
from handlers.commands.invocation import Invocation, Reply


def publish(inv: Invocation, text: str) -> Reply:
    """Publish a public update, or open its confirmation."""
    if not text:
        raise IncidentError(f"Missing text. Use: `{inv.command.usage}`")
    view = PublicUpdates(inv.service).submit(inv.channel, inv.user, from_slack(text))
    return Reply() if view is None else Reply(view=view)
