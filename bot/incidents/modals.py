"""The incident modals: declare, record a decision, hand over commander."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.errors import IncidentError
from bot.models import SEVERITIES, SUMMARY_MAX, TITLE_MAX
from bot.playbook.fields import missing, parse_value
from bot.playbook.models import CustomField, Playbook, field_label
from bot.slack import ids
from bot.slack.modals import modal, value


def declare_basics(title: str = "", severity: str = "sev3") -> list[Block]:
    """What every declaration asks: the title, the severity and whether it is private."""
    sev_options = [Option(text=s.upper(), value=s) for s in SEVERITIES]
    initial = next((o for o in sev_options if o.value == severity), sev_options[2])
    return [
        InputBlock(
            block_id=ids.TITLE_INPUT,
            label="What is happening?",
            element=PlainTextInputElement(
                action_id=ids.TITLE_INPUT,
                initial_value=title[:TITLE_MAX] or None,
                max_length=TITLE_MAX,
                placeholder="Checkout returns 500s",
            ),
        ),
        InputBlock(
            block_id=ids.SEVERITY_INPUT,
            label="Severity",
            element=StaticSelectElement(
                action_id=ids.SEVERITY_INPUT, options=sev_options, initial_option=initial
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
    ]


def declare_modal(channel: str, title: str = "", playbook: Playbook | None = None) -> View:
    """Declare an incident: title, severity, privacy, optionally summary and impact, and
    the incident type and custom fields when INCIDENT_CONFIG has them."""
    return modal(
        ids.DECLARE_MODAL,
        "Declare an incident",
        "Declare",
        [
            *declare_basics(title),
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
            *(guided_inputs(playbook) if playbook is not None else []),
        ],
        channel=channel,
    )


def guided_inputs(playbook: Playbook) -> list[Block]:
    """The incident type (when types are configured) and each custom field; a field
    required at declare must be filled in."""
    blocks: list[Block] = []
    if playbook.incident_types:
        blocks.append(
            InputBlock(
                block_id=ids.INCIDENT_TYPE_INPUT,
                label="Incident type",
                optional=True,
                element=StaticSelectElement(
                    action_id=ids.INCIDENT_TYPE_INPUT,
                    options=[
                        Option(text=name, value=name, description=kind.description[:75] or None)
                        for name, kind in playbook.incident_types.items()
                    ][:100],
                ),
            )
        )
    for name, field in playbook.custom_fields.items():
        blocks.append(
            InputBlock(
                block_id=f"{ids.FIELD_INPUT}:{name}",
                label=field_label(name, field)[:2000],
                optional=field.required != "declare",
                element=_field_element(f"{ids.FIELD_INPUT}:{name}", field),
            )
        )
    return blocks[:90]  # Slack allows 100 blocks in a modal; the fixed ones take the rest


def read_guided(
    view: dict[str, Any], playbook: Playbook
) -> tuple[str | None, dict[str, Any], dict[str, str]]:
    """The submitted incident type and custom field values, and errors by block id."""
    kind = value(view, ids.INCIDENT_TYPE_INPUT)
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, field in playbook.custom_fields.items():
        block_id = f"{ids.FIELD_INPUT}:{name}"
        raw = value(view, block_id)
        if raw in (None, "", []):
            continue
        if field.kind in ("select", "multi_select", "user"):
            fields[name] = raw  # chosen from what the modal offered
            continue
        try:
            fields[name] = parse_value(name, field, raw)
        except IncidentError as exc:
            errors[block_id] = exc.message
    return kind if kind in playbook.incident_types else None, fields, errors


def resolve_field_inputs(playbook: Playbook, values: dict[str, Any]) -> list[Block]:
    """The fields required at resolve that have no value yet: asked in the resolve modal."""
    return [
        InputBlock(
            block_id=f"{ids.FIELD_INPUT}:{name}",
            label=field_label(name, field)[:2000],
            element=_field_element(f"{ids.FIELD_INPUT}:{name}", field),
        )
        for name in missing(playbook, values, "resolve")
        if (field := playbook.custom_fields[name])
    ][:80]


def _field_element(action_id: str, field: CustomField) -> object:
    options = [Option(text=o, value=o) for o in field.options][:100]
    if field.kind == "select":
        return StaticSelectElement(action_id=action_id, options=options)
    if field.kind == "multi_select":
        return StaticMultiSelectElement(action_id=action_id, options=options)
    if field.kind == "user":
        return UserSelectElement(action_id=action_id)
    return PlainTextInputElement(action_id=action_id, max_length=500)


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
