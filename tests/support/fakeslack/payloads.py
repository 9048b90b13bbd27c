"""Builders of what Slack sends an app: slash commands, events, interaction payloads.

Field names and nesting follow the shapes in tests/fixtures/slack/event-shapes (java-slack-sdk's
field unions); values are filled the way Slack fills them. With a FakeSlack at hand the payloads
use its users, channels, messages and views, so the app sees a consistent workspace.
"""

from __future__ import annotations

import itertools
import time
import uuid
from typing import Any

from .fake import FakeSlack

_event_ids = itertools.count(1)


def event_ts() -> str:
    return f"{time.time():.6f}"


def user_obj(
    fake: FakeSlack | None, uid: str, team_id: str, username: bool = True
) -> dict[str, Any]:
    """The `user` object of interaction payloads."""
    user = fake.users.get(uid) if fake else None
    name = user.name if user else uid.lower()
    obj = {"id": uid, "username": name, "name": name, "team_id": team_id}
    if not username:
        del obj["username"]
    return obj


def channel_name(fake: FakeSlack | None, cid: str) -> str:
    ch = fake.channels.get(cid) if fake else None
    if ch is None:
        return "unknown-channel"
    return "directmessage" if ch.is_im else ch.name


def channel_type(fake: FakeSlack | None, cid: str) -> str:
    """`channel_type` of message events: channel, group (private) or im."""
    ch = fake.channels.get(cid) if fake else None
    if ch is None:
        return "channel"
    return "im" if ch.is_im else "group" if ch.is_private else "channel"


def rich_text(text: str) -> list[dict[str, Any]]:
    """The rich_text block Slack clients attach to what a person types."""
    section = {"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}
    return [{"type": "rich_text", "block_id": uuid.uuid4().hex[:5], "elements": [section]}]


def envelope(
    event: dict[str, Any], team_id: str, api_app_id: str, bot_user_id: str, event_id: str | None
) -> dict[str, Any]:
    """The Events API `event_callback` envelope around one event."""
    event.setdefault("event_ts", event.get("ts") or event_ts())
    return {
        "token": "fake-verification-token",
        "team_id": team_id,
        "context_team_id": team_id,
        "context_enterprise_id": None,
        "api_app_id": api_app_id,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{next(_event_ids):010d}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": team_id,
                "user_id": bot_user_id,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
        "event_context": f"4-{uuid.uuid4().hex}",
    }


def find_element(
    blocks: list[dict[str, Any]], action_id: str
) -> tuple[str | None, dict[str, Any] | None]:
    """(block_id, element) of the interactive element with this action_id, if any."""
    for block in blocks:
        candidates = list(block.get("elements") or []) if block.get("type") == "actions" else []
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for el in candidates:
            if isinstance(el, dict) and el.get("action_id") == action_id:
                return block.get("block_id"), el
    return None, None


def action_obj(
    action_id: str,
    block_id: str,
    element: dict[str, Any] | None,
    value: str | None,
    selected_option: dict[str, Any] | str | None,
    picked: dict[str, str] | None = None,
    checked: list[str] | None = None,
) -> dict[str, Any]:
    """One entry of block_actions' `actions`, as Slack reports a click or a selection.

    `picked` is a user or date pick: {"selected_user": U} or {"selected_date": YYYY-MM-DD};
    `checked`: the values of a checkboxes element's options that are ticked after the click."""
    element = element or {}
    if checked is not None:
        options = element.get("options") or []
        return {
            "action_id": action_id,
            "block_id": block_id,
            "type": "checkboxes",
            "action_ts": event_ts(),
            "selected_options": [o for o in options if o.get("value") in checked],
        }
    if picked:
        kind = "users_select" if "selected_user" in picked else "datepicker"
        return {
            "action_id": action_id,
            "block_id": block_id,
            "type": kind,
            "action_ts": event_ts(),
            **picked,
        }
    kind = element.get("type") or ("static_select" if selected_option is not None else "button")
    action: dict[str, Any] = {
        "action_id": action_id,
        "block_id": block_id,
        "type": kind,
        "action_ts": event_ts(),
    }
    if kind == "button":
        action["text"] = element.get("text") or {"type": "plain_text", "text": action_id}
        action["value"] = value if value is not None else element.get("value", "")
        if element.get("style"):
            action["style"] = element["style"]
    elif selected_option is not None or value is not None:
        wanted = selected_option if selected_option is not None else value
        if isinstance(wanted, str):
            options = element.get("options") or []
            match = next((o for o in options if o.get("value") == wanted), None)
            wanted = match or {"text": {"type": "plain_text", "text": wanted}, "value": wanted}
        action["selected_option"] = wanted
    return action


def input_value(element: dict[str, Any], value: Any) -> dict[str, Any]:
    """A view's state value for one input element from a plain Python value."""
    kind = element.get("type", "plain_text_input")
    if isinstance(value, dict):
        return value
    if kind == "static_select":
        options = element.get("options") or []
        option = next((o for o in options if o.get("value") == value), None)
        return {"type": kind, "selected_option": option}
    if kind == "users_select":
        return {"type": kind, "selected_user": value}
    if kind == "conversations_select" or kind == "channels_select":
        key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
        return {"type": kind, key: value}
    if kind == "datepicker":
        return {"type": kind, "selected_date": value}
    if kind == "timepicker":
        return {"type": kind, "selected_time": value}
    if kind == "checkboxes":
        options = element.get("options") or []
        chosen = [o for o in options if o.get("value") in (value or [])]
        return {"type": kind, "selected_options": chosen}
    return {"type": kind, "value": value}


def view_state(view: dict[str, Any] | None, values: dict[str, Any]) -> dict[str, Any]:
    """`view.state.values` for a submission, checked against the view's input blocks."""
    inputs = {
        b.get("block_id"): b.get("element") or {}
        for b in (view or {}).get("blocks", [])
        if b.get("type") == "input"
    }
    state: dict[str, Any] = {}
    for block_id, given in values.items():
        if view is not None and block_id not in inputs:
            raise AssertionError(
                f"view {view.get('callback_id')!r} has no input block {block_id!r}; "
                f"its inputs are {sorted(str(k) for k in inputs)}"
            )
        element = inputs.get(block_id, {})
        if not isinstance(given, dict):  # just the value: the action_id comes from the view
            given = {element.get("action_id", block_id): given}
        if view is not None and set(given) != {element.get("action_id")}:
            raise AssertionError(
                f"input block {block_id!r} has action_id {element.get('action_id')!r}, "
                f"not {sorted(given)}"
            )
        state[block_id] = {a: input_value(element, v) for a, v in given.items()}
    return state
