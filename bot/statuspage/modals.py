"""The confirmation of an incident's first public update: exactly what will be public."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.slack import ids
from bot.slack.modals import metadata, modal, value
from bot.status_models import PUBLIC_TEXT_MAX, PUBLIC_TITLE_MAX
from bot.statuspage.components import Catalogue
from bot.statuspage.publishing import Affected
from bot.statuspage.rules import IMPACT_LABELS, IMPACTS, OPERATIONAL

MAX_COMPONENTS = 40  # a modal holds 100 blocks
WARNING = (
    ":globe_with_meridians: *Everything in this form will be public* on the status page, for "
    "anyone on the internet. Nothing else about the incident is: not its internal title, "
    "channel, people or timeline. Later public updates of this incident post without asking."
)


def confirmation_modal(channel: str, text: str, components: Catalogue) -> View:
    """Public title (required, empty: the internal title may name customers), the affected
    components with their impact, and the update's text as typed."""
    impact_options = [Option(text=IMPACT_LABELS[OPERATIONAL], value=OPERATIONAL)] + [
        Option(text=IMPACT_LABELS[i], value=i) for i in IMPACTS
    ]
    component_blocks = [
        InputBlock(
            block_id=f"{ids.COMPONENT_IMPACT_INPUT}:{c.id}",
            label=c.name[:2000],
            optional=True,
            element=StaticSelectElement(
                action_id=ids.COMPONENT_IMPACT_INPUT,
                options=impact_options,
                initial_option=impact_options[0],
            ),
        )
        for c in components.components[:MAX_COMPONENTS]
    ]
    if not component_blocks:
        component_blocks = [
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text="No components are configured (`status_page.components` in "
                        "INCIDENT_CONFIG): the update names none."
                    )
                ]
            )
        ]
    return modal(
        ids.PUBLIC_UPDATE_MODAL,
        "Publish on status page",
        "Publish",
        [
            SectionBlock(text=MarkdownTextObject(text=WARNING)),
            InputBlock(
                block_id=ids.PUBLIC_TITLE_INPUT,
                label="Public title",
                hint="What customers see, e.g. “Card payments fail for some customers”.",
                element=PlainTextInputElement(
                    action_id=ids.PUBLIC_TITLE_INPUT, max_length=PUBLIC_TITLE_MAX
                ),
            ),
            *component_blocks,
            InputBlock(
                block_id=ids.PUBLIC_TEXT_INPUT,
                label="Public update",
                element=PlainTextInputElement(
                    action_id=ids.PUBLIC_TEXT_INPUT,
                    multiline=True,
                    initial_value=text[:PUBLIC_TEXT_MAX] or None,
                    max_length=PUBLIC_TEXT_MAX,
                ),
            ),
        ],
        channel=channel,
    )


def submitted(view: dict[str, Any], components: Catalogue) -> tuple[str, str, list[Affected], str]:
    """(channel, public title, affected components, text) as submitted."""
    affected = []
    for component in components.components[:MAX_COMPONENTS]:
        impact = value(view, f"{ids.COMPONENT_IMPACT_INPUT}:{component.id}")
        if impact in IMPACTS:
            affected.append(Affected(component.name, impact))
    return (
        str(metadata(view).get("channel", "")),
        value(view, ids.PUBLIC_TITLE_INPUT) or "",
        affected,
        value(view, ids.PUBLIC_TEXT_INPUT) or "",
    )
