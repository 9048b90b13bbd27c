"""The follow-up subcommands: `action`, `actions [mine|all]`, `done AI-N`."""

from __future__ import annotations

from bot.errors import IncidentError
from bot.followups import messages
from bot.followups.items import list_action_items, local_today, parse_ref, ref
from bot.followups.modals import action_item_modal
from bot.followups.service import FollowupService
from bot.incidents import lifecycle as incidents
from bot.parsing import parse_due, parse_user
from handlers.commands.grammar import parse_action
from handlers.commands.invocation import Invocation, Reply


def action(inv: Invocation) -> Reply:
    """`action TEXT [@owner] [due DATE]`, or the modal when no text is typed."""
    text, raw_owner, raw_due = parse_action(inv.command.rest)
    service = inv.service
    if not text:
        if raw_owner or raw_due is not None or inv.trigger_id is None:
            raise IncidentError(f"Missing text. Use: `{inv.command.usage}`")
        with service.db.unit_of_work() as session:
            incidents.require_for_channel(session, inv.channel, inv.command.usage)
        return Reply(view=action_item_modal(inv.channel))
    owner = parse_user(raw_owner) if raw_owner else None
    due = None
    if raw_due is not None:  # counted from the typist's own today
        due = parse_due(raw_due, local_today(service.now(), service.zone_of(inv.user)))
    followups = FollowupService(service)
    item = followups.add(
        inv.channel, inv.user, text=text, owner=owner, due=due, usage=inv.command.usage
    )
    return Reply(f"Added {ref(item)}. Close it with `/incident done {ref(item)}`.")


def actions(inv: Invocation) -> Reply:
    """`actions [mine|all]`: this incident's open items, or yours, or everyone's."""
    words = inv.command.rest.lower().split()
    if len(words) > 1 or (words and words[0] not in ("mine", "all")):
        raise IncidentError(f"Use: `{inv.command.usage}`")
    service = inv.service
    zone = service.zone_of(inv.user)  # "due today" / "overdue" as the reader's calendar says
    with service.db.unit_of_work() as session:
        incident = incidents.for_channel(session, inv.channel)
        scope = words[0] if words else ("incident" if incident else "mine")
        items = list_action_items(session, inv.user, scope=scope, incident=incident)
        if scope == "mine":
            title = "Your action items"
        elif scope == "incident" and incident is not None:
            title = f"Action items of incident {incident.number}"
        else:
            title = "All action items"
        today = local_today(service.now(), zone)
        body = messages.action_list(items, today, title)
    return Reply(f"{title}: {len(items)} open", body)


def done(inv: Invocation) -> Reply:
    """`done AI-N`."""
    words = inv.command.rest.split()
    if len(words) != 1:
        raise IncidentError(f"Use: `{inv.command.usage}`, e.g. `/incident done AI-12`.")
    item = FollowupService(inv.service).close(inv.user, parse_ref(words[0]))
    return Reply(f"{ref(item)} is done: {item.text}")
