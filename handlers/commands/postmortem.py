"""`/incident postmortem [TEMPLATE]`: draft the postmortem and post it to the incident channel.

Runs after the handler's ack; the draft arrives when ready (a model call may take a while and
every failure of it falls back to the deterministic draft).
"""

from __future__ import annotations

from contextlib import suppress

from bot.drafting import templates
from bot.drafting.draft import write_draft
from bot.drafting.publish import publish
from bot.errors import IncidentError, SlackFailure
from handlers.commands.invocation import Invocation, Reply


def postmortem(inv: Invocation) -> Reply:
    """Draft from the timeline (with the model when configured) and post it in the channel."""
    words = inv.command.rest.split()
    if len(words) > 1:
        raise IncidentError(f"Use: `{inv.command.usage}` (one template name at most).")
    settings, service = inv.service.settings, inv.service
    name = templates.resolve(words[0] if words else None, settings.INCIDENT_POSTMORTEM_TEMPLATE)
    incident_id = service.members.require(inv.channel, inv.user, inv.command.usage).id
    if settings.OPENAI_API_KEY:
        with suppress(SlackFailure):  # only a courtesy
            service.slack.ephemeral(
                inv.channel,
                inv.user,
                "Drafting the postmortem with the model; it will appear here.",
            )
    draft = write_draft(
        service.db,
        settings,
        incident_id,
        template=name,
        now=service.now(),
        people=service.deps.people,  # names in the Markdown, not <@U…>
    )
    published = publish(service.db, service.slack, settings, draft, service.now())
    return Reply(f"Postmortem draft posted: {published.link}")
