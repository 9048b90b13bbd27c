"""The "Add action item" modal."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.followups.items import ITEM_TEXT_MAX, PRIORITIES, TYPES
from bot.slack import ids
from bot.slack.modals import modal


def action_item_modal(channel: str) -> View:
    """What needs doing, owner, due date, priority and type."""
    priorities = [Option(text=p, value=p) for p in PRIORITIES]
    types = [Option(text=t, value=t) for t in TYPES]
    return modal(
        ids.ACTION_ITEM_MODAL,
        "Add action item",
        "Add",
        [
            InputBlock(
                block_id=ids.TEXT_INPUT,
                label="What needs doing?",
                element=PlainTextInputElement(action_id=ids.TEXT_INPUT, max_length=ITEM_TEXT_MAX),
            ),
            InputBlock(
                block_id=ids.OWNER_INPUT,
                label="Owner",
                optional=True,
                element=UserSelectElement(action_id=ids.OWNER_INPUT),
            ),
            InputBlock(
                block_id=ids.DUE_INPUT,
                label="Due",
                optional=True,
                element=DatePickerElement(action_id=ids.DUE_INPUT),
            ),
            # No preselected priority or type: an item shows them only when someone chose.
            InputBlock(
                block_id=ids.PRIORITY_INPUT,
                label="Priority",
                optional=True,
                element=StaticSelectElement(action_id=ids.PRIORITY_INPUT, options=priorities),
            ),
            InputBlock(
                block_id=ids.TYPE_INPUT,
                label="Type",
                optional=True,
                element=StaticSelectElement(action_id=ids.TYPE_INPUT, options=types),
            ),
        ],
        channel=channel,
    )
