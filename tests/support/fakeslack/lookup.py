"""What the driver reads from the fake to build consistent payloads."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from .fake import FakeSlack

_blank_ids = itertools.count(1)


def message(fake: FakeSlack | None, channel: str, ts: str) -> dict[str, Any] | None:
    """A copy of the stored message, if the fake has it."""
    if fake is None or channel not in fake.channels:
        return None
    with fake.lock:
        found = fake.channels[channel].find(ts)
        return copy.deepcopy(found) if found else None


def view(fake: FakeSlack | None, wanted: dict[str, Any] | str) -> dict[str, Any]:
    """A view given as a dict, or the fake's view with this id."""
    if isinstance(wanted, dict):
        return wanted
    if fake is None or wanted not in fake.views:
        raise AssertionError(f"the fake has no view {wanted!r}")
    with fake.lock:
        return copy.deepcopy(fake.views[wanted])


def find_view(
    fake: FakeSlack | None, callback_id: str, user: str, view_id: str | None
) -> dict[str, Any] | None:
    """The latest view opened for `user` with this callback_id (or the view `view_id`)."""
    if fake is None:
        return None
    if view_id is not None:
        return view(fake, view_id)
    with fake.lock:
        mine = [
            v
            for vid, v in fake.views.items()
            if v.get("callback_id") == callback_id and fake.view_owners.get(vid, user) == user
        ]
        return copy.deepcopy(mine[-1]) if mine else None


def blank_view(callback_id: str, team_id: str, app_id: str) -> dict[str, Any]:
    """A stand-in modal for submissions when no fake (or no opened view) is at hand."""
    vid = f"V0DRIVER{next(_blank_ids):03d}"
    return {
        "id": vid,
        "team_id": team_id,
        "type": "modal",
        "callback_id": callback_id,
        "blocks": [],
        "private_metadata": "",
        "title": {"type": "plain_text", "text": "Modal"},
        "hash": "",
        "root_view_id": vid,
        "previous_view_id": None,
        "app_id": app_id,
    }
