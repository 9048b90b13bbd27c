"""Global and message shortcuts."""

from __future__ import annotations

from typing import Any

from bot.incidents.service import Deps, IncidentService
from bot.slack import ids
from bot.timeline.capture_service import CaptureService
from handlers.reply import user_errors


def register(app: Any, deps: Deps) -> None:
    capture = CaptureService(IncidentService(deps))

    @app.shortcut(ids.ADD_TO_TIMELINE_SHORTCUT)
    def add_to_timeline(ack: Any, body: dict[str, Any], respond: Any, context: Any) -> None:
        """ "Add to incident timeline" on a message: keep it, and tell the person."""
        ack()

        def say(line: str) -> None:
            respond(response_type="ephemeral", replace_original=False, text=line)

        with user_errors(say, "Add to incident timeline"):
            message = body.get("message") or {}
            outcome = capture.keep(
                body["channel"]["id"],
                body.get("message_ts") or message.get("ts", ""),
                user=body["user"]["id"],
                source="shortcut",
                bot_user=context.get("bot_user_id"),
                message=message,
            )
            say(outcome.line())
