"""The modal that corrects one timeline entry."""

from __future__ import annotations

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.parsing import TEXT_MAX
from bot.slack import ids
from bot.slack.modals import modal


def timeline_edit_modal(
    entry_id: int, page: int, at_text: str, text: str, zone: str = "UTC"
) -> View:
    """Correct one timeline entry: its time (in the editor's zone) and its text."""
    return modal(
        ids.TIMELINE_EDIT_MODAL,
        "Edit timeline entry",
        "Save",
        [
            InputBlock(
                block_id=ids.TIME_INPUT,
                label=f"When, in {zone} (YYYY-MM-DD HH:MM, HH:MM or ISO-8601)",
                element=PlainTextInputElement(
                    action_id=ids.TIME_INPUT, initial_value=at_text, max_length=40
                ),
            ),
            InputBlock(
                block_id=ids.TEXT_INPUT,
                label="What happened",
                element=PlainTextInputElement(
                    action_id=ids.TEXT_INPUT,
                    initial_value=text[:TEXT_MAX] or None,
                    multiline=True,
                    max_length=TEXT_MAX,
                ),
            ),
        ],
        entry=entry_id,
        page=page,
        zone=zone,
    )
