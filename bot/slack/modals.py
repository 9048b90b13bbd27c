"""Reading modal submissions (view_submission `state.values`) into plain values."""

from __future__ import annotations

import json
from typing import Any


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
    if kind == "users_select":
        return data.get("selected_user")
    if kind == "checkboxes":
        return [o["value"] for o in data.get("selected_options") or []]
    if kind == "datepicker":
        return data.get("selected_date")
    return (data.get("value") or "").strip() or None


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        return dict(json.loads(view.get("private_metadata") or "{}"))
    except ValueError:
        return {}
