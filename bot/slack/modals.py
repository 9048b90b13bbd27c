"""Modals: one builder of the skeleton, one reader of what was submitted."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def modal(
    callback_id: str, title: str, submit: str, blocks: Sequence[Block], **metadata: Any
) -> View:
    """A modal whose private_metadata carries `metadata` (read back with `metadata(view)`)."""
    return View(
        type="modal",
        callback_id=callback_id,
        title=title,
        submit=submit,
        close="Cancel",
        private_metadata=json.dumps(metadata),
        blocks=list(blocks),
    )


def value(view: dict[str, Any], block_id: str) -> Any:
    """The submitted value of one input block (text, selected option, user, checkboxes)."""
    element = view.get("state", {}).get("values", {}).get(block_id, {})
    if not element:
        return None
    data = next(iter(element.values()))
    kind = data.get("type")
    if kind == "static_select":
        option = data.get("selected_option")
        return option["value"] if option else None
    if kind == "multi_static_select":
        return [o["value"] for o in data.get("selected_options") or []]
    if kind == "users_select":
        return data.get("selected_user")
    if kind == "checkboxes":
        return [o["value"] for o in data.get("selected_options") or []]
    if kind == "datepicker":
        return data.get("selected_date")
    return (data.get("value") or "").strip() or None


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    """What `modal(...)` stored in the view; {} when it is missing or not ours."""
    try:
        return dict(json.loads(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
