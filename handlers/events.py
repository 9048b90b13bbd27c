"""Events API listeners: capture, sync of captured messages, App Home, channel membership."""

from __future__ import annotations

import logging
from typing import Any

from bot.incidents.service import Deps, IncidentService
from bot.overview.home import publish_home
from bot.timeline.capture_service import CaptureService

log = logging.getLogger(__name__)


def register(app: Any, deps: Deps) -> None:
    service = IncidentService(deps)
    capture = CaptureService(service)

    @app.event("reaction_added")
    def reaction_added(event: dict[str, Any], context: Any) -> None:
        item = event.get("item") or {}
        if item.get("type") != "message":
            return
        outcome = capture.reaction(
            item["channel"],
            item["ts"],
            event.get("user", ""),
            event.get("reaction", ""),
            context.get("bot_user_id"),
        )
        log.info("reaction on %s/%s: %s", item["channel"], item["ts"], outcome.outcome)

    @app.event("reaction_removed")
    def reaction_removed(event: dict[str, Any]) -> None:
        # Removing the reaction does not rewrite history: "Remove from timeline" does that.
        return None

    @app.event("pin_added")
    def pin_added(event: dict[str, Any], context: Any) -> None:
        item = event.get("item") or {}
        message = item.get("message") or {}
        channel = event.get("channel_id") or item.get("channel")
        if not deps.settings.INCIDENT_CAPTURE_PINS or not channel or not message.get("ts"):
            return
        capture.keep(
            channel,
            message["ts"],
            user=event.get("user", ""),
            source="pin",
            bot_user=context.get("bot_user_id"),
            message=message,
            permalink=message.get("permalink"),
        )

    @app.event("message")
    def message(event: dict[str, Any]) -> None:
        subtype = event.get("subtype")
        channel = event.get("channel", "")
        if subtype == "message_changed" and event.get("message"):
            capture.edited(channel, event["message"])
        elif subtype == "message_deleted" and event.get("deleted_ts"):
            capture.deleted(channel, event["deleted_ts"])
        # Ordinary conversation needs nothing from us.

    @app.event("app_home_opened")
    def app_home_opened(event: dict[str, Any]) -> None:
        if event.get("tab", "home") == "home":
            publish_home(service, event["user"])

    # Bolt delivers these even for the bot itself; the bot is not an incident member.
    @app.event("member_joined_channel")
    def member_joined(event: dict[str, Any], context: Any) -> None:
        if event.get("user") != context.get("bot_user_id"):
            capture.members.joined(event["channel"], event["user"])

    @app.event("member_left_channel")
    def member_left(event: dict[str, Any], context: Any) -> None:
        if event.get("user") != context.get("bot_user_id"):
            capture.members.left(event["channel"], event["user"])
