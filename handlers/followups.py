"""Action-item buttons (reminder DMs, lists, the card) and the "Add action item" modal."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.errors import IncidentError
from bot.followups import messages as followup_blocks
from bot.followups.items import FollowupService, check_item_text, local_today, ref
from bot.incidents.service import Deps, IncidentService
from bot.slack import ids
from bot.slack.modals import metadata, value
from handlers.reply import user_errors, validated_modal


def _item_id(action: dict[str, Any]) -> int:
    """Buttons carry the id as their value; selects and date pickers in their block id."""
    raw = action.get("value") or action.get("block_id", "").rpartition(":")[2]
    return int(raw)


def register(app: Any, deps: Deps) -> None:
    service = IncidentService(deps)
    followups = FollowupService(service)

    def answer(respond: Any) -> Any:
        def say(line: str) -> None:
            respond(response_type="ephemeral", replace_original=False, text=line)

        return say

    def replace(respond: Any, line: str) -> None:
        respond(replace_original=True, text=line)

    @app.action(ids.ACTION_DONE)
    def done(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        user = body["user"]["id"]
        with user_errors(answer(respond), "Done"):
            item = followups.close(user, _item_id(action))
            replace(respond, followup_blocks.closed_line(item, user))

    @app.action(ids.ACTION_SNOOZE)
    def snooze(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        user = body["user"]["id"]
        with user_errors(answer(respond), "Snooze a week"):
            item = followups.snooze(user, _item_id(action))
            due = item.due.isoformat() if item.due else "—"
            replace(respond, f":zzz: {ref(item)} snoozed: now due {due}. {item.text}")

    @app.action(ids.ACTION_REASSIGN)
    def reassign(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        user = body["user"]["id"]
        owner = action.get("selected_user") or ""
        with user_errors(answer(respond), "Reassign"):
            followups.check_owner(owner)
            item = followups.reassign(user, _item_id(action), owner)
            replace(respond, f":bust_in_silhouette: {ref(item)} now belongs to <@{owner}>.")

    @app.action(ids.ACTION_REDATE)
    def redate(ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any) -> None:
        ack()
        user = body["user"]["id"]
        with user_errors(answer(respond), "Re-date"):
            due = date.fromisoformat(action.get("selected_date") or "")
            item = followups.redate(user, _item_id(action), due)
            respond(
                response_type="ephemeral",
                replace_original=False,
                text=f":calendar: {ref(item)} is now due {due.isoformat()}.",
            )

    @app.action(ids.CARD_ACTION_ITEM)
    def open_modal(ack: Any, body: dict[str, Any]) -> None:
        ack()
        user = body["user"]["id"]
        channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")

        def say(line: str) -> None:
            service.slack.ephemeral(channel, user, line)

        with user_errors(say, "Add action item"):
            service.slack.open_view(body["trigger_id"], followup_blocks.action_item_modal(channel))

    def item_errors(view: dict[str, Any]) -> dict[str, str]:
        errors: dict[str, str] = {}
        try:
            check_item_text(value(view, ids.TEXT_INPUT) or "")
        except IncidentError as exc:
            errors[ids.TEXT_INPUT] = exc.message
        raw_due = value(view, ids.DUE_INPUT)
        if raw_due and date.fromisoformat(raw_due) < local_today(
            service.now(), service.settings.zone
        ):
            errors[ids.DUE_INPUT] = "That day is in the past: pick today or later."
        return errors

    def submit(body: dict[str, Any], view: dict[str, Any]) -> None:
        user = body["user"]["id"]
        channel = metadata(view).get("channel", "")
        text = value(view, ids.TEXT_INPUT) or ""
        raw_due = value(view, ids.DUE_INPUT)
        due = date.fromisoformat(raw_due) if raw_due else None

        def say(line: str) -> None:
            service.slack.ephemeral(channel, user, line)

        with user_errors(say, f"action {text}"):
            followups.add(
                channel,
                user,
                text=text,
                owner=value(view, ids.OWNER_INPUT),
                due=due,
                priority=value(view, ids.PRIORITY_INPUT) or "medium",
                type_=value(view, ids.TYPE_INPUT) or "prevent",
                usage="the Add action item button",
            )

    validated_modal(app.view(ids.ACTION_ITEM_MODAL), item_errors, submit)
