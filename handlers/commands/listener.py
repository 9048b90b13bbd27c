"""`/incident`: ack at once (with the answer when parsing alone decides it), then run it."""

from __future__ import annotations

from time import perf_counter
from typing import Any

from bot.errors import IncidentError
from bot.incidents import messages as blocks
from bot.incidents.service import Deps, IncidentService
from bot.telemetry import COMMAND_LATENCY
from handlers.commands.grammar import parse
from handlers.commands.table import registry, run
from handlers.reply import deferred, user_errors


def _subcommand(text: str) -> str | None:
    """The subcommand's name, or None when the text doesn't parse (the ack explains)."""
    try:
        return parse(text).name
    except IncidentError:
        return None


def register(app: Any, deps: Deps) -> None:
    service = IncidentService(deps)
    registry()  # import every feature now, not on the first command someone types

    def ack_incident(ack: Any, body: dict[str, Any]) -> None:
        try:
            name = parse(body.get("text", "")).name
        except IncidentError as exc:
            ack(response_type="ephemeral", text=exc.message)
            return
        if name == "help":
            help_text, help_blocks = blocks.help_blocks()
            ack(response_type="ephemeral", text=help_text, blocks=help_blocks)
        else:
            ack()

    def run_incident(body: dict[str, Any], respond: Any) -> None:
        text = body.get("text", "")
        name = _subcommand(text)
        if name in (None, "help"):
            return  # answered in the ack
        started = perf_counter()

        def say(line: str) -> None:
            respond(response_type="ephemeral", replace_original=False, text=line)

        with user_errors(say, f"/incident {text}"):
            reply = run(
                text,
                user=body["user_id"],
                channel=body["channel_id"],
                trigger_id=body.get("trigger_id"),
                service=service,
            )
            if reply.view is not None:
                service.slack.open_view(body["trigger_id"], reply.view)
            elif not reply.empty:
                respond(
                    response_type="ephemeral",
                    replace_original=False,
                    text=reply.text,
                    blocks=[b.to_dict() for b in reply.blocks] or None,
                )
        COMMAND_LATENCY.labels(subcommand=name).observe(perf_counter() - started)

    deferred(app.command("/incident"), run_incident, ack=ack_incident)
