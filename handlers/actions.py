"""Buttons and selects: the incident card, timeline pages and entries, App Home, action items.

Each listener acks at once (`acknowledge`) and does its work afterwards on the worker pool.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any

from slack_bolt import App, BoltContext, Respond

from bot.comms import subscriptions
from bot.comms.modals import resolve_modal, update_modal
from bot.followups import messages as followup_messages
from bot.followups.items import ref
from bot.followups.modals import action_item_modal
from bot.followups.service import FollowupService
from bot.incidents import lifecycle, modals
from bot.slack import ids
from bot.slack.blocks import plain_when
from bot.statuspage.service import PublicUpdates
from bot.timeline.edit import TimelineEditor
from bot.timeline.modals import timeline_edit_modal
from bot.timeline.pages import page_for_viewer
from bot.workflows.checklist import tick_in_channel
from handlers.reply import (
    acknowledge,
    channel_id,
    ephemeral,
    in_channel,
    logged,
    service,
    user_errors,
)
from handlers.reply import user_id as user_of

CARD = "the incident card"
CARD_FIELDS = {ids.CARD_SEVERITY: "severity", ids.CARD_STATUS: "status"}


def change_state(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """The card's severity and status selects."""
    field = CARD_FIELDS[action["action_id"]]
    chosen = action["selected_option"]["value"]
    _card_change(
        body,
        context,
        lambda s, i, now, user: lifecycle.change_state(
            s, i, now=now, user=user, field=field, value=chosen
        ),
    )


def resolve(body: dict[str, Any], context: BoltContext) -> None:
    """The card's Resolve button opens the modal asking what fixed it."""
    incidents, user, channel = service(context), user_of(body), channel_id(body)
    with user_errors(in_channel(incidents.slack, channel, user), "Resolve"):
        incident = incidents.members.require(channel, user, CARD)
        fields = modals.resolve_field_inputs(incidents.playbook, incident.fields or {})
        view = resolve_modal(channel, incident.number, fields)
        incidents.slack.open_view(body["trigger_id"], view)


def announce_subscribe(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """The announcement's Subscribe button (public incidents only: a private announcement
    has none, and a forged click is told there is no such incident)."""
    incidents, user = service(context), user_of(body)
    with user_errors(in_channel(incidents.slack, channel_id(body), user), "Subscribe"):
        with incidents.db.unit_of_work() as session:
            incident = lifecycle.by_number(session, int(action.get("value") or 0))
            if incident.private:
                raise lifecycle.no_such_incident(incident.number)
            subscriptions.subscribe(session, incident, user=user, now=incidents.now())
            number = incident.number
        in_channel(incidents.slack, channel_id(body), user)(subscriptions.subscribed_line(number))


def open_update_modal(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """The update reminder's button: the update modal of the incident it names."""
    incidents, user, channel = service(context), user_of(body), action.get("value") or ""
    with user_errors(lambda line: incidents.slack.dm(user, line), "Post an update"):
        incident = incidents.members.require(channel, user, "/incident update")
        offer = PublicUpdates(incidents).offer(incident)
        incidents.slack.open_view(body["trigger_id"], update_modal(channel, incident, offer))


def _card_change(body: dict[str, Any], context: BoltContext, change: Callable[..., Any]) -> None:
    incidents, user, channel = service(context), user_of(body), channel_id(body)
    with user_errors(in_channel(incidents.slack, channel, user)):
        # change() re-derives the incident from the channel and checks membership with Slack.
        incidents.change(channel, user, CARD, lambda s, i, now: change(s, i, now, user))


def hand_over(body: dict[str, Any], context: BoltContext) -> None:
    """The card's "Hand over commander" button opens the modal."""
    incidents, user, channel = service(context), user_of(body), channel_id(body)
    with user_errors(in_channel(incidents.slack, channel, user), "Hand over commander"):
        incident = incidents.members.require(channel, user, CARD)
        modal = modals.commander_modal(channel, incident.commander)
        incidents.slack.open_view(body["trigger_id"], modal)


def open_action_item_modal(body: dict[str, Any], context: BoltContext) -> None:
    """The card's "Add action item" button."""
    incidents, user, channel = service(context), user_of(body), channel_id(body)
    with user_errors(in_channel(incidents.slack, channel, user), "Add action item"):
        incidents.members.require(channel, user, CARD)  # anyone may see a card, not use it
        incidents.slack.open_view(body["trigger_id"], action_item_modal(channel))


def turn_timeline_page(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """Previous/next on a timeline page."""
    number, page = (int(p) for p in action["value"].split(":"))
    with user_errors(ephemeral(respond)):
        text, blocks = page_for_viewer(context["deps"], number, page, viewer=user_of(body))
        respond(replace_original=True, text=text, blocks=blocks)


def timeline_entry_menu(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """An entry's overflow menu: remove it from the timeline, or open the edit modal."""
    incidents, user = service(context), user_of(body)
    editor = TimelineEditor(incidents)
    verb, entry_id, page = action["selected_option"]["value"].split(":")
    with user_errors(ephemeral(respond), f"{verb} timeline entry"):
        if verb == "remove":
            incident = editor.remove(int(entry_id), user)
            text, blocks = page_for_viewer(context["deps"], incident.number, int(page), user)
            respond(replace_original=True, text=text, blocks=blocks)
            return
        entry, _incident = editor.entry(int(entry_id), user)
        zone = incidents.zone_of(user)  # the time is shown, and read back, in the editor's zone
        at_text = plain_when(entry.at, zone).rsplit(" ", 1)[0]
        modal = timeline_edit_modal(entry.id, int(page), at_text, entry.text, zone.key)
        incidents.slack.open_view(body["trigger_id"], modal)


def home_declare(body: dict[str, Any], context: BoltContext) -> None:
    """App Home's "Declare an incident" button."""
    incidents, user = service(context), user_of(body)
    with user_errors(lambda line: incidents.slack.dm(user, line), "Declare an incident"):
        incidents.slack.open_view(
            body["trigger_id"], modals.declare_modal("", playbook=incidents.playbook)
        )


def _item_id(action: dict[str, Any]) -> int:
    """Buttons carry the id as their value; selects and date pickers in their block id."""
    return int(action.get("value") or action.get("block_id", "").rpartition(":")[2])


def item_done(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """Done, on a reminder or a list."""
    user = user_of(body)
    with user_errors(ephemeral(respond), "Done"):
        item = FollowupService(service(context)).close(user, _item_id(action))
        respond(replace_original=True, text=followup_messages.closed_line(item, user))


def item_snooze(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """Snooze a week."""
    with user_errors(ephemeral(respond), "Snooze a week"):
        item = FollowupService(service(context)).snooze(user_of(body), _item_id(action))
        due = item.due.isoformat() if item.due else "—"
        respond(
            replace_original=True, text=f":zzz: {ref(item)} snoozed: now due {due}. {item.text}"
        )


def item_reassign(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """Reassign to the person picked."""
    owner = action.get("selected_user") or ""
    followups = FollowupService(service(context))
    with user_errors(ephemeral(respond), "Reassign"):
        followups.check_owner(owner)
        item = followups.reassign(user_of(body), _item_id(action), owner)
        respond(
            replace_original=True,
            text=f":bust_in_silhouette: {ref(item)} now belongs to <@{owner}>.",
        )


def item_redate(
    body: dict[str, Any], action: dict[str, Any], respond: Respond, context: BoltContext
) -> None:
    """Re-date to the day picked."""
    say = ephemeral(respond)
    with user_errors(say, "Re-date"):
        due = date.fromisoformat(action.get("selected_date") or "")
        item = FollowupService(service(context)).redate(user_of(body), _item_id(action), due)
        say(f":calendar: {ref(item)} is now due {due.isoformat()}.")


def task_tick(body: dict[str, Any], action: dict[str, Any], context: BoltContext) -> None:
    """A checkbox of a workflow's checklist, ticked or unticked by someone in the channel."""
    incidents, user, channel = service(context), user_of(body), channel_id(body)
    shown = [int(x) for x in action["block_id"].partition(":")[2].split(",") if x.isdigit()]
    ticked = [int(o["value"]) for o in action.get("selected_options") or []]
    with user_errors(in_channel(incidents.slack, channel, user), "the checklist"):
        tick_in_channel(incidents, channel, user, shown=shown, ticked=ticked)


LISTENERS: dict[str | re.Pattern[str], Callable[..., None]] = {
    ids.TASK_TICK: task_tick,
    ids.CARD_SEVERITY: change_state,
    ids.CARD_STATUS: change_state,
    ids.CARD_RESOLVE: resolve,
    ids.UPDATE_OPEN: open_update_modal,
    ids.ANNOUNCE_SUBSCRIBE: announce_subscribe,
    ids.CARD_COMMANDER: hand_over,
    ids.CARD_ACTION_ITEM: open_action_item_modal,
    re.compile(f"^{ids.TIMELINE_PAGE}_"): turn_timeline_page,
    ids.TIMELINE_ENTRY_MENU: timeline_entry_menu,
    ids.HOME_DECLARE: home_declare,
    ids.ACTION_DONE: item_done,
    ids.ACTION_SNOOZE: item_snooze,
    ids.ACTION_REASSIGN: item_reassign,
    ids.ACTION_REDATE: item_redate,
}


def register(app: App) -> None:
    """Every block action: acked at once, worked after."""
    for action_id, work in LISTENERS.items():
        app.action(action_id)(ack=acknowledge, lazy=[logged(work)])
