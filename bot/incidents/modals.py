"""Modal views (slack_sdk.models.views), one builder per modal."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.models import SEVERITIES
from bot.slack import ids


def declare_modal(channel: str, title: str = "") -> View:
    """Declare an incident: title, severity, privacy."""
    sev_options = [Option(text=s.upper(), value=s) for s in SEVERITIES]
    return View(
        type="modal",
        callback_id=ids.DECLARE_MODAL,
        title="Declare an incident",
        submit="Declare",
        close="Cancel",
        private_metadata=json.dumps({"channel": channel}),
        blocks=[
            InputBlock(
                block_id=ids.TITLE_INPUT,
                label="What is happening?",
                element=PlainTextInputElement(
                    action_id=ids.TITLE_INPUT,
                    initial_value=title or None,
                    max_length=200,
                    placeholder="Checkout returns 500s",
                ),
            ),
            InputBlock(
                block_id=ids.SEVERITY_INPUT,
                label="Severity",
                element=StaticSelectElement(
                    action_id=ids.SEVERITY_INPUT,
                    options=sev_options,
                    initial_option=sev_options[2],
                ),
            ),
            InputBlock(
                block_id=ids.PRIVATE_INPUT,
                label="Visibility",
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.PRIVATE_INPUT,
                    options=[Option(text="Private incident (private channel)", value="private")],
                ),
            ),
        ],
    )


def decision_modal(channel: str, text: str = "") -> View:
    """Record a decision: what, why, alternatives considered, who decided."""
    return View(
        type="modal",
        callback_id=ids.DECISION_MODAL,
        title="Record a decision",
        submit="Record",
        close="Cancel",
        private_metadata=json.dumps({"channel": channel}),
        blocks=[
            InputBlock(
                block_id=ids.DECISION_INPUT,
                label="What was decided?",
                element=PlainTextInputElement(
                    action_id=ids.DECISION_INPUT, initial_value=text or None, max_length=3000
                ),
            ),
            InputBlock(
                block_id=ids.RATIONALE_INPUT,
                label="Why?",
                element=PlainTextInputElement(
                    action_id=ids.RATIONALE_INPUT, multiline=True, max_length=3000
                ),
            ),
            InputBlock(
                block_id=ids.ALTERNATIVES_INPUT,
                label="Alternatives considered",
                optional=True,
                element=PlainTextInputElement(
                    action_id=ids.ALTERNATIVES_INPUT, multiline=True, max_length=3000
                ),
            ),
            InputBlock(
                block_id=ids.DECIDED_BY_INPUT,
                label="Who decided?",
                optional=True,
                element=UserSelectElement(action_id=ids.DECIDED_BY_INPUT),
            ),
        ],
    )


def commander_modal(channel: str, current: str | None) -> View:
    """Hand over the commander role to someone else."""
    return View(
        type="modal",
        callback_id=ids.COMMANDER_MODAL,
        title="Hand over commander",
        submit="Hand over",
        close="Cancel",
        private_metadata=json.dumps({"channel": channel}),
        blocks=[
            InputBlock(
                block_id=ids.USER_INPUT,
                label="New incident commander",
                element=UserSelectElement(action_id=ids.USER_INPUT, initial_user=current),
            )
        ],
    )


def timeline_edit_modal(entry_id: int, page: int, at_text: str, text: str) -> View:
    """Correct one timeline entry: its time and its text."""
    return View(
        type="modal",
        callback_id=ids.TIMELINE_EDIT_MODAL,
        title="Edit timeline entry",
        submit="Save",
        close="Cancel",
        private_metadata=json.dumps({"entry": entry_id, "page": page}),
        blocks=[
            InputBlock(
                block_id=ids.TIME_INPUT,
                label="When (HH:MM, YYYY-MM-DD HH:MM or ISO-8601)",
                element=PlainTextInputElement(
                    action_id=ids.TIME_INPUT, initial_value=at_text, max_length=40
                ),
            ),
            InputBlock(
                block_id=ids.TEXT_INPUT,
                label="What happened",
                element=PlainTextInputElement(
                    action_id=ids.TEXT_INPUT,
                    initial_value=text[:3000] or None,
                    multiline=True,
                    max_length=3000,
                ),
            ),
        ],
    )
