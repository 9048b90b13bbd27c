"""Incident card buttons and selects."""

from __future__ import annotations

import re
from typing import Any

from bot import ids, incidents
from bot.service import Deps, IncidentService
from handlers._reply import user_errors


def register(app: Any, deps: Deps) -> None:
    service = IncidentService(deps)

    def context(body: dict[str, Any]) -> tuple[str, str, Any]:
        user = body["user"]["id"]
        channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")

        def say(line: str) -> None:
            service.slack.ephemeral(channel, user, line)

        return user, channel, say

    @app.action(ids.CARD_SEVERITY)
    def severity(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        user, channel, say = context(body)
        chosen = action["selected_option"]["value"]
        with user_errors(say):
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
