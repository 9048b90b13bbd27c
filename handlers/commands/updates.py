"""`update [TEXT]` and `resolved [at TIME] [SUMMARY]` (also `status resolved`): typed with
text they record at once; typed bare they open the modal that asks for it."""

from __future__ import annotations

from bot.comms import modals
from bot.comms.resolving import resolve
from bot.comms.updates import record_update
from bot.errors import IncidentError
from bot.incidents.modals import resolve_field_inputs
from bot.incidents.rules import OutOfOrder
from bot.statuspage.service import PublicUpdates
from handlers.commands.grammar import USAGE, parse_update, split_at
from handlers.commands.invocation import Invocation, Reply
from handlers.commands.public import publish


def update(inv: Invocation) -> Reply:
    """`update TEXT`: posted in the channel, under the announcement, to the subscribers."""
    usage = inv.command.usage
    public, text = parse_update(inv.command.rest)
    if public:
        return publish(inv, text)
    if not text:
        if inv.trigger_id is None:
            raise IncidentError(f"Missing text. Use: `{usage}`")
        incident = inv.service.members.require(inv.channel, inv.user, usage)
        offer = PublicUpdates(inv.service).offer(incident)
        return Reply(view=modals.update_modal(inv.channel, incident, offer))
    inv.service.change(
        inv.channel,
        inv.user,
        usage,
        lambda s, i, now: record_update(s, i, now=now, user=inv.user, text=text),
    )
    return Reply()


def resolved(inv: Invocation, rest: str | None = None) -> Reply:
    """`resolved [at TIME] [SUMMARY]`; bare, the modal asking what fixed it."""
    usage = USAGE["resolved"]
    raw_at, summary = split_at(inv.command.rest if rest is None else rest)
    if raw_at is None and not summary and inv.trigger_id is not None:
        incident = inv.service.members.require(inv.channel, inv.user, usage)
        fields = resolve_field_inputs(inv.service.playbook, incident.fields or {})
        return Reply(view=modals.resolve_modal(inv.channel, incident.number, fields))
    typed = inv.service.read_at(raw_at, inv.user)
    at = typed.at if typed else inv.service.now()
    try:
        inv.service.change(
            inv.channel,
            inv.user,
            usage,
            lambda s, i, now: resolve(s, i, now=now, user=inv.user, at=at, summary=summary or None),
        )
    except OutOfOrder as exc:
        if typed is None:
            raise
        raise IncidentError(exc.describe(f"`{typed.raw}` ({typed.reading})")) from None
    except IncidentError as exc:
        if "resolution summary" not in exc.message:
            raise
        raise IncidentError(f"{exc.message} Use: `{usage}`") from None
    return Reply()
