"""Which interpreter runs each `/incident` subcommand: one explicit table."""

from __future__ import annotations

from collections.abc import Callable

from bot.incidents.service import IncidentService
from bot.models import MILESTONES
from handlers.commands import (
    details,
    followups,
    guided,
    help,
    lifecycle,
    postmortem,
    stats,
    subscriptions,
    updates,
)
from handlers.commands.grammar import parse
from handlers.commands.invocation import Invocation, Reply

Interpreter = Callable[[Invocation], Reply]

SUBCOMMANDS: dict[str, Interpreter] = {
    "help": help.answer,
    "declare": lifecycle.declare,
    "note": lifecycle.note,
    "decision": lifecycle.decision,
    "summary": details.detail,
    "impact": details.detail,
    "type": guided.set_type,
    "set": guided.set_field,
    "tasks": guided.tasks,
    "severity": lifecycle.change_state,
    "status": lifecycle.change_state,
    "role": lifecycle.role,
    **dict.fromkeys(MILESTONES, lifecycle.milestone),
    "resolved": updates.resolved,
    "update": updates.update,
    "list": lifecycle.list_open,
    "timeline": lifecycle.timeline,
    "action": followups.action,
    "actions": followups.actions,
    "done": followups.done,
    "stats": stats.stats,
    "postmortem": postmortem.postmortem,
    "subscribe": subscriptions.subscribe,
    "unsubscribe": subscriptions.unsubscribe,
}


def run(
    text: str, *, user: str, channel: str, trigger_id: str | None, service: IncidentService
) -> Reply:
    """Parse and interpret one `/incident` text; IncidentError says what was wrong."""
    command = parse(text)
    return SUBCOMMANDS[command.name](Invocation(command, user, channel, trigger_id, service))
