"""Modal submissions: validate, ack (with field errors if any), then run the use case."""

from __future__ import annotations

from typing import Any

from bot.errors import IncidentError
from bot.incidents import lifecycle as incidents
from bot.incidents.membership import Membership
from bot.incidents.rules import check_text
from bot.incidents.service import Deps, IncidentService
from bot.slack import ids
from bot.slack.modals import metadata, value
from bot.timeline.edit import TimelineEditor
from handlers.reply import user_errors, validated_modal


def register(app: Any, deps: Deps) -> None:
    service = IncidentService(deps)
    members = Membership(service)
    editor = TimelineEditor(service)

    def tell(user: str, channel: str | None) -> Any:
        def say(line: str) -> None:
            # The modal is gone; the person hears back where they opened it, or by DM.
            if channel and channel.startswith(("C", "G")):
                service.slack.ephemeral(channel, user, line)
            else:
                service.slack.dm(user, line)

        return say

    def declare_errors(view: dict[str, Any]) -> dict[str, str]:
        try:
            check_text(value(view, ids.TITLE_INPUT) or "", "title", 200)
        except IncidentError as exc:
            return {ids.TITLE_INPUT: exc.message}
        return {}

    def declare(body: dict[str, Any], view: dict[str, Any]) -> None:
        title = value(view, ids.TITLE_INPUT) or ""
        user = body["user"]["id"]
        say = tell(user, metadata(view).get("channel"))
        with user_errors(say, f"declare {title}"):
            incident, problems = service.declare(
                user=user,
                title=title,
                severity=value(view, ids.SEVERITY_INPUT) or "sev3",
                private="private" in (value(view, ids.PRIVATE_INPUT) or []),
            )
            warning = f" :warning: {' '.join(problems)}" if problems else ""
            service.slack.dm(
                user, f"Incident {incident.number} declared: <#{incident.channel_id}>.{warning}"
            )

    validated_modal(app.view(ids.DECLARE_MODAL), declare_errors, declare)

    @app.view(ids.DECISION_MODAL)
    def decision(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        channel = metadata(view).get("channel", "")
        what = value(view, ids.DECISION_INPUT) or ""
        with user_errors(tell(user, channel), f"decision {what}"):
            service.change(
                channel,
                user,
                "/incident decision",
                lambda s, i, now: incidents.record_decision(
                    s,
                    i,
                    now=now,
                    at=now,
                    user=user,
                    text=what,
                    rationale=value(view, ids.RATIONALE_INPUT),
                    alternatives=value(view, ids.ALTERNATIVES_INPUT),
                    decided_by=value(view, ids.DECIDED_BY_INPUT),
                ),
            )

    @app.view(ids.COMMANDER_MODAL)
    def hand_over(ack: Any, body: dict[str, Any], view: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        channel = metadata(view).get("channel", "")
        assignee = value(view, ids.USER_INPUT) or ""
        with user_errors(tell(user, channel), "Hand over commander"):
            members.require(channel, user, "the incident card")
            service.change(
                channel,
                user,
                "the Hand over commander button",
                lambda s, i, now: incidents.assign_role(
                    s, i, now=now, user=user, role="commander", assignee=assignee
                ),
            )
            service.slack.invite(channel, [assignee])

    def edit_errors(view: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            editor.parse_at(value(view, ids.TIME_INPUT) or "")
        except IncidentError as exc:
            errors[ids.TIME_INPUT] = exc.message
        try:
            check_text(value(view, ids.TEXT_INPUT) or "", "entry")
        except IncidentError as exc:
            errors[ids.TEXT_INPUT] = exc.message
        return errors

    def edit_entry(body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        entry_id = int(metadata(view).get("entry", 0))
        at = editor.parse_at(value(view, ids.TIME_INPUT) or "")
        text = value(view, ids.TEXT_INPUT) or ""
        with user_errors(tell(user, None), "Edit timeline entry"):
            entry = editor.correct(entry_id, user, at=at, text=text)
            service.slack.dm(user, f":pencil2: Timeline entry corrected: {entry.text[:200]}")

    validated_modal(app.view(ids.TIMELINE_EDIT_MODAL), edit_errors, edit_entry)
