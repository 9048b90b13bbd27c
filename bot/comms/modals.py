"""The modals of keeping people informed: a stakeholder update, and what fixed it at resolve."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.models import STATUSES, SUMMARY_MAX, Incident
from bot.slack import ids
from bot.slack.modals import modal
from bot.update_models import UPDATE_MAX

FOLLOWUPS_MAX = 3000


def _text(
    block_id: str,
    label: str,
    *,
    initial: str | None = None,
    optional: bool = False,
    multiline: bool = True,
    most: int = SUMMARY_MAX,
    hint: str | None = None,
) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        optional=optional,
        hint=hint,
        element=PlainTextInputElement(
            action_id=block_id, multiline=multiline, max_length=most, initial_value=initial
        ),
    )


FIRST_PUBLIC_HINT = (
    "To publish on the status page too, type `/incident update --public TEXT`: an incident's "
    "first public update asks for its public title and the affected components."
)


def _public_blocks(public: str | None) -> list[Block]:
    """ "later": a checkbox to publish this update too; "first": how to publish (the first
    public update needs its confirmation); None: nothing (no status page, or private)."""
    if public == "later":
        box = Option(text="Also publish this update on the status page", value="public")
        element = CheckboxesElement(action_id=ids.PUBLIC_INPUT, options=[box])
        return [
            InputBlock(
                block_id=ids.PUBLIC_INPUT, label="Status page", optional=True, element=element
            )
        ]
    if public == "first":
        return [ContextBlock(elements=[MarkdownTextObject(text=FIRST_PUBLIC_HINT)])]
    return []


def update_modal(channel: str, incident: Incident, public: str | None = None) -> View:
    """Post a stakeholder update: what to say, and the status, summary and impact as they
    are now (changed here, changed on the incident), and when the next update comes;
    `public` says what it offers for the status page (see _public_blocks)."""
    statuses = [Option(text=s, value=s) for s in STATUSES if s != "resolved"]
    current = next((o for o in statuses if o.value == incident.status), None)
    return modal(
        ids.UPDATE_MODAL,
        "Post an update",
        "Post",
        [
            _text(ids.UPDATE_INPUT, "What do stakeholders need to know?", most=UPDATE_MAX),
            InputBlock(
                block_id=ids.STATUS_INPUT,
                label="Status",
                optional=True,  # a resolved incident's update keeps its status
                element=StaticSelectElement(
                    action_id=ids.STATUS_INPUT, options=statuses, initial_option=current
                ),
            ),
            _text(ids.SUMMARY_INPUT, "Summary", initial=incident.summary, optional=True),
            _text(ids.IMPACT_INPUT, "Customer impact", initial=incident.impact, optional=True),
            _text(
                ids.NEXT_UPDATE_INPUT,
                "Next update in",
                optional=True,
                multiline=False,
                most=10,
                hint="Like 30m or 2h: you are reminded then instead of at the usual cadence.",
            ),
            *_public_blocks(public),
        ],
        channel=channel,
    )


def resolve_modal(channel: str, number: int, fields: Sequence[Block] = ()) -> View:
    """Resolve: what fixed it (the resolution summary), follow-ups one per line, and the
    custom fields required at resolve that are still empty (`fields`)."""
    return modal(
        ids.RESOLVE_MODAL,
        f"Resolve incident {number}"[:24],
        "Resolve",
        [
            _text(ids.RESOLUTION_INPUT, "What fixed it?"),
            _text(
                ids.FOLLOWUPS_INPUT,
                "Follow-up action items",
                optional=True,
                most=FOLLOWUPS_MAX,
                hint="One per line; each becomes an action item (owners and dates later).",
            ),
            *fields,
        ],
        channel=channel,
    )
