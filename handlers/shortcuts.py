"""Message shortcuts."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.slack import ids
from bot.timeline.capture_service import CaptureService
from handlers.reply import acknowledge, ephemeral, logged, service, user_errors


def add_to_timeline(body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """ "Add to incident timeline" on a message: keep it, and tell the person."""
    say = ephemeral(respond)
    with user_errors(say, "Add to incident timeline"):
        message = body.get("message") or {}
        outcome = CaptureService(service(context)).keep(
            body["channel"]["id"],
            body.get("message_ts") or message.get("ts", ""),
            user=body["user"]["id"],
            source="shortcut",
            bot_user=context.bot_user_id,
            message=message,
        )
        say(outcome.line())


def register(app: App) -> None:
    """The message shortcut of manifest.yml."""
    app.shortcut(ids.ADD_TO_TIMELINE_SHORTCUT)(ack=acknowledge, lazy=[logged(add_to_timeline)])
