"""Incident card buttons and selects."""

from __future__ import annotations

import re
from typing import Any

from bot.errors import SlackFailure
from bot.incidents import lifecycle as incidents
from bot.incidents import modals as views
from bot.incidents.membership import Membership
from bot.incidents.messages import plain_when
from bot.incidents.service import Deps, IncidentService
from bot.slack import ids
from bot.timeline.edit import TimelineEditor
from handlers.reply import user_errors


def register(app: Any, deps: Deps) -> None:
    service = IncidentService(deps)
    members = Membership(service)
    editor = TimelineEditor(service)

    def context(body: dict[str, Any]) -> tuple[str, str, Any]:
        user = body["user"]["id"]
        channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")

        def say(line: str) -> None:
            try:
                service.slack.ephemeral(channel, user, line)
            except SlackFailure:  # not in the channel (e.g. a refused non-member): DM instead
                service.slack.dm(user, line)

        return user, channel, say

    @app.action(ids.CARD_SEVERITY)
    def severity(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user, channel, say = context(body)
        chosen = action["selected_option"]["value"]
        with user_errors(say):
            members.require(channel, user, "the incident card")
            service.change(
                channel,
                user,
                "the incident card",
                lambda s, i, now: incidents.set_severity(s, i, now=now, user=user, severity=chosen),
            )

    @app.action(ids.CARD_STATUS)
    def status(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user, channel, say = context(body)
        chosen = action["selected_option"]["value"]
        with user_errors(say):
            members.require(channel, user, "the incident card")
            service.change(
                channel,
                user,
                "the incident card",
                lambda s, i, now: incidents.set_status(s, i, now=now, user=user, status=chosen),
            )

    @app.action(ids.CARD_RESOLVE)
    def resolve(ack: Any, body: dict[str, Any]) -> None:
        ack()
        user, channel, say = context(body)
        with user_errors(say):
            members.require(channel, user, "the incident card")
            service.change(
                channel,
                user,
                "the incident card",
                lambda s, i, now: incidents.set_milestone(
                    s, i, now=now, user=user, name="resolved", at=now
                ),
            )

    @app.action(re.compile(f"^{ids.TIMELINE_PAGE}_"))
    def timeline_page(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        user, _channel, say = context(body)
        number, page = (int(p) for p in action["value"].split(":"))
        with user_errors(say):
            text, blocks = service.timeline(number, page, viewer=user)
            respond(replace_original=True, text=text, blocks=[b.to_dict() for b in blocks])

    @app.action(ids.CARD_COMMANDER)
    def hand_over(ack: Any, body: dict[str, Any]) -> None:
        ack()
        user, channel, say = context(body)
        with user_errors(say, "Hand over commander"):
            incident = members.require(channel, user, "the incident card")
            service.slack.open_view(
                body["trigger_id"], views.commander_modal(channel, incident.commander)
            )

    @app.action(ids.TIMELINE_ENTRY_MENU)
    def entry_menu(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        user, _channel, _say = context(body)

        def say(line: str) -> None:
            respond(response_type="ephemeral", replace_original=False, text=line)

        verb, entry_id, page = action["selected_option"]["value"].split(":")
        with user_errors(say, f"{verb} timeline entry"):
            if verb == "remove":
                incident = editor.remove(int(entry_id), user)
                text, blocks = editor.page(incident.number, int(page), user)
                respond(replace_original=True, text=text, blocks=[b.to_dict() for b in blocks])
                return
            entry, _incident = editor.entry(int(entry_id), user)
            at_text = plain_when(entry.at, service.settings.zone).rsplit(" ", 1)[0]
            modal = views.timeline_edit_modal(entry.id, int(page), at_text, entry.text)
            service.slack.open_view(body["trigger_id"], modal)

    @app.action(ids.HOME_DECLARE)
    def home_declare(ack: Any, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        with user_errors(lambda line: service.slack.dm(user, line), "Declare an incident"):
            service.slack.open_view(body["trigger_id"], views.declare_modal(""))
