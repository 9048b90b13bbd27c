"""Events API listeners: capture, sync of captured messages, App Home, channel membership."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.overview.home import publish_home
from bot.timeline.capture_service import CaptureService
from handlers.reply import acknowledge, logged, service

log = logging.getLogger(__name__)


def reaction_added(event: dict[str, Any], context: BoltContext) -> None:
    """The timeline reaction on a message keeps it."""
    item = event.get("item") or {}
    if item.get("type") != "message":
        return
    outcome = CaptureService(service(context)).reaction(
        item["channel"],
        item["ts"],
        event.get("user", ""),
        event.get("reaction", ""),
        context.bot_user_id or "",
    )
    log.info("reaction on %s/%s: %s", item["channel"], item["ts"], outcome.outcome)


def pin_added(event: dict[str, Any], context: BoltContext) -> None:
    """A pinned message is kept too (INCIDENT_CAPTURE_PINS)."""
    incidents = service(context)
    item = event.get("item") or {}
    message = item.get("message") or {}
    channel = event.get("channel_id") or item.get("channel")
    if not incidents.settings.INCIDENT_CAPTURE_PINS or not channel or not message.get("ts"):
        return
    CaptureService(incidents).keep(
        channel,
        message["ts"],
        user=event.get("user", ""),
        source="pin",
        bot_user=context.bot_user_id,
        message=message,
        permalink=message.get("permalink"),
    )


def message(event: dict[str, Any], context: BoltContext) -> None:
    """Edits and deletions of kept messages follow; ordinary conversation needs nothing."""
    subtype = event.get("subtype")
    channel = event.get("channel", "")
    capture = CaptureService(service(context))
    if subtype == "message_changed" and event.get("message"):
        capture.edited(channel, event["message"])
    elif subtype == "message_deleted" and event.get("deleted_ts"):
        capture.deleted(channel, event["deleted_ts"])


def app_home_opened(event: dict[str, Any], context: BoltContext) -> None:
    """The Home tab: the viewer's incidents, roles and action items."""
    if event.get("tab", "home") == "home":
        publish_home(service(context), event["user"])


def member_joined(event: dict[str, Any], context: BoltContext) -> None:
    """Joining the channel makes a member (Bolt delivers this for the bot too: not a member)."""
    if event.get("user") != context.bot_user_id:
        service(context).members.joined(event["channel"], event["user"])


def member_left(event: dict[str, Any], context: BoltContext) -> None:
    """Leaving the channel ends membership."""
    if event.get("user") != context.bot_user_id:
        service(context).members.left(event["channel"], event["user"])


def ignore() -> None:
    """Removing the reaction does not rewrite history: "Remove from timeline" does that."""


LISTENERS = {
    "reaction_added": reaction_added,
    "reaction_removed": ignore,
    "pin_added": pin_added,
    "message": message,
    "app_home_opened": app_home_opened,
    "member_joined_channel": member_joined,
    "member_left_channel": member_left,
}


def register(app: App) -> None:
    """Every event the manifest subscribes to."""
    for event_type, work in LISTENERS.items():
        app.event(event_type)(ack=acknowledge, lazy=[logged(work)])
