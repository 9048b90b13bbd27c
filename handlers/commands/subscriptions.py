"""`subscribe [NUMBER]` / `unsubscribe [NUMBER]`: direct messages on severity and resolution."""

from __future__ import annotations

import re

from bot.comms import subscriptions
from bot.errors import IncidentError
from bot.incidents import lifecycle as incidents
from bot.models import Incident
from handlers.commands.invocation import Invocation, Reply


def _target(inv: Invocation) -> tuple[Incident, bool]:
    """The incident named by number, or this channel's; and whether the person may see it."""
    usage, rest = inv.command.usage, inv.command.rest.strip()
    with inv.service.db.unit_of_work() as session:
        if rest:
            match = re.fullmatch(r"#?(\d{1,9})", rest)
            if match is None:
                raise IncidentError(f"`{rest}` is not an incident number. Use: `{usage}`")
            incident = incidents.by_number(session, int(match.group(1)))
        else:
            found = incidents.for_channel(session, inv.channel)
            if found is None:
                raise IncidentError(
                    f"Which incident? Give its number (`{usage}`) or run it in its channel."
                )
            incident = found
    visible = not incident.private or inv.service.members.is_member(incident, inv.user)
    return incident, visible


def subscribe(inv: Invocation) -> Reply:
    """Subscribe the person; a private incident only its members (others are told it isn't)."""
    incident, visible = _target(inv)
    if not visible:
        raise incidents.no_such_incident(incident.number)
    with inv.service.db.unit_of_work() as session:
        stored = session.get(Incident, incident.id)
        assert stored is not None
        subscriptions.subscribe(session, stored, user=inv.user, now=inv.service.now())
    return Reply(subscriptions.subscribed_line(incident.number))


def unsubscribe(inv: Invocation) -> Reply:
    """Stop the direct messages (also for someone who has since left a private channel)."""
    incident, visible = _target(inv)
    with inv.service.db.unit_of_work() as session:
        if not visible and not subscriptions.is_subscribed(session, incident, inv.user):
            raise incidents.no_such_incident(incident.number)
        subscriptions.unsubscribe(session, incident, user=inv.user)
    return Reply(f"Unsubscribed from incident {incident.number}.")
