"""Events API listeners: capture, sync of captured messages, App Home, channel membership.

Unlike commands and interactions, an event is acked after its work is done (at most a second
or two), and only when it succeeded: a failure leaves it unacked, so Slack delivers it again
and the retry is handled (bot.slack.deliveries keeps each event_id to one success). Every
listener here is idempotent: capture is unique per message ts, an edit or deletion sets the
entry to what Slack says it is now, membership is a set, the Home tab is republished whole.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.comms.catchup import catch_up
from bot.overview.home import publish_home
from bot.slack import deliveries
from bot.slack.deliveries import Delivery
from bot.timeline.capture_service import CaptureService
from bot.wiring import Deps
from handlers.reply import service

log = logging.getLogger(__name__)
EventWork = Callable[[dict[str, Any], BoltContext], None]


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
    """Joining the channel makes a member (Bolt delivers this for the bot too: not a member),
    who is first caught up, unless the bot invited them (so a failed catch-up is retried)."""
    if event.get("user") != context.bot_user_id:
        incidents = service(context)
        catch_up(incidents.deps, event["channel"], event["user"])
        incidents.members.joined(event["channel"], event["user"])


def member_left(event: dict[str, Any], context: BoltContext) -> None:
    """Leaving the channel ends membership."""
    if event.get("user") != context.bot_user_id:
        service(context).members.left(event["channel"], event["user"])


def ignore() -> None:
    """Removing the reaction does not rewrite history: "Remove from timeline" does that."""


LISTENERS: dict[str, EventWork] = {
    "reaction_added": reaction_added,
    "pin_added": pin_added,
    "message": message,
    "app_home_opened": app_home_opened,
    "member_joined_channel": member_joined,
    "member_left_channel": member_left,
}


def once(work: EventWork) -> Callable[[dict[str, Any], BoltContext], BoltResponse | None]:
    """Do the work of each event_id once, before the ack; a failure is not acked (500)."""

    def handle(body: dict[str, Any], context: BoltContext) -> BoltResponse | None:
        deps: Deps = context["deps"]
        event_id = str(body.get("event_id") or "")
        delivery = deliveries.claim(deps.db, event_id, deps.clock()) if event_id else None
        if delivery is Delivery.HANDLED:
            log.info("skipping duplicate delivery of %s", event_id)
            return None
        if delivery is Delivery.BUSY:
            log.info("%s is being handled by another delivery; Slack will retry", event_id)
            return BoltResponse(status=503, body="")
        try:
            work(body.get("event") or {}, context)
        except Exception:
            if event_id:
                deliveries.release(deps.db, event_id)
            raise  # Bolt's error handler logs it and answers 500: no ack, Slack retries
        if event_id:
            deliveries.finish(deps.db, event_id, deps.clock())
        return None

    handle.__name__ = handle.__qualname__ = work.__name__
    return handle


def register(app: App) -> None:
    """Every event the manifest subscribes to."""
    for event_type, work in LISTENERS.items():
        app.event(event_type)(once(work))
    app.event("reaction_removed")(ignore)
