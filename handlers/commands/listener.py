"""`/incident`: parsed once by a listener middleware; answered in the ack when parsing alone
decides it (bad input), otherwise run by its interpreter after the ack (help too: it names
the typist's time zone, which takes a users.info lookup)."""

from __future__ import annotations

from collections.abc import Callable
from time import perf_counter
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from bot.errors import IncidentError
from bot.telemetry import COMMAND_LATENCY
from handlers.commands.grammar import parse
from handlers.commands.invocation import Invocation
from handlers.commands.table import SUBCOMMANDS
from handlers.reply import ephemeral, logged, service, user_errors


def parse_text(body: dict[str, Any], context: BoltContext, next: Callable[[], None]) -> None:
    """Parse the command text once; the ack and the work read `context["command"]`."""
    try:
        context["command"] = parse(body.get("text", ""))
    except IncidentError as exc:
        context["refusal"] = exc.message
    next()


def ack_incident(ack: Ack, context: BoltContext) -> None:
    """Answer at once: the refusal, else an empty ack while the work runs."""
    if "refusal" in context:
        ack(response_type="ephemeral", text=context["refusal"])
    else:
        ack()


def run_incident(body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Run the subcommand's interpreter and show its reply (or open its modal)."""
    command = context.get("command")
    if command is None:
        return  # refused in the ack
    started = perf_counter()
    incidents = service(context)
    with user_errors(ephemeral(respond), f"/incident {body.get('text', '')}"):
        try:
            reply = SUBCOMMANDS[command.name](
                Invocation(
                    command, body["user_id"], body["channel_id"], body.get("trigger_id"), incidents
                )
            )
        finally:  # observed before the answer is sent, so /metrics agrees with what people saw
            COMMAND_LATENCY.labels(subcommand=command.name).observe(perf_counter() - started)
        if reply.view is not None:
            incidents.slack.open_view(body["trigger_id"], reply.view)
        elif not reply.empty:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=reply.text,
                blocks=reply.blocks or None,
            )


def register(app: App) -> None:
    """`/incident` and its one parsing middleware."""
    app.command("/incident", middleware=[parse_text])(ack=ack_incident, lazy=[logged(run_incident)])
