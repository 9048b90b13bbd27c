"""The incident modals: declare, record a decision, hand over commander."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.models import SEVERITIES, SUMMARY_MAX, TITLE_MAX
from bot.slack import ids
from bot.slack.modals import modal


def declare_modal(channel: str, title: str = "") -> View:
    """Declare an incident: title, severity, privacy, and optionally summary and impact."""
    sev_options = [Option(text=s.upper(), value=s) for s in SEVERITIES]
    return modal(
        ids.DECLARE_MODAL,
        "Declare an incident",
        "Declare",
        [
            InputBlock(
                block_id=ids.TITLE_INPUT,
                label="What is happening?",
                element=PlainTextInputElement(
                    action_id=ids.TITLE_INPUT,
                    initial_value=title or None,
                    max_length=TITLE_MAX,
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
            *(
                InputBlock(
                    block_id=block_id,
                    label=label,
                    optional=True,
                    element=PlainTextInputElement(
                        action_id=block_id, multiline=True, max_length=SUMMARY_MAX
                    ),
                )
                for block_id, label in (
                    (ids.SUMMARY_INPUT, "Summary (optional)"),
                    (ids.IMPACT_INPUT, "Customer impact (optional)"),
                )
            ),
        ],
        channel=channel,
    )


def decision_modal(channel: str, text: str = "") -> View:
    """Record a decision: what, why, alternatives considered, who decided."""
    return modal(
        ids.DECISION_MODAL,
        "Record a decision",
        "Record",
        [
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
        channel=channel,
    )


def commander_modal(channel: str, current: str | None) -> View:
    """Hand over the commander role to someone else."""
    return modal(
        ids.COMMANDER_MODAL,
        "Hand over commander",
        "Hand over",
        [
            InputBlock(
                block_id=ids.USER_INPUT,
                label="New incident commander",
                element=UserSelectElement(action_id=ids.USER_INPUT, initial_user=current),
            )
        ],
        channel=channel,
    )
