"""The modals of alert triage: declare an incident from alerts, attach alerts to one."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    InputBlock,
    Option,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.incidents.modals import declare_basics
from bot.slack import ids
from bot.slack.blocks import one_line
from bot.slack.modals import modal

OPTION_TEXT_MAX = 75  # Slack's limit on an option's text
OPTIONS_MAX = 100


def declare_modal(group_id: int, title: str, severity: str) -> View:
    """Declare an incident for these alerts: title and severity prefilled from them."""
    return modal(
        ids.ALERT_DECLARE_MODAL,
        "Declare from alerts",
        "Declare",
        declare_basics(title, severity),
        group=group_id,
    )


def _label(number: int, title: str, private: bool) -> str:
    text = f"{number} · {'🔒 ' if private else ''}{one_line(title)}"
    return text if len(text) <= OPTION_TEXT_MAX else text[: OPTION_TEXT_MAX - 1] + "…"


def attach_modal(group_id: int, incidents: Sequence[tuple[int, int, str, bool]]) -> View:
    """Pick one of the open incidents this person may see: (id, number, title, private)."""
    choices = [Option(text=_label(n, t, p), value=str(i)) for i, n, t, p in incidents]
    return modal(
        ids.ALERT_ATTACH_MODAL,
        "Attach alerts",
        "Attach",
        [
            InputBlock(
                block_id=ids.INCIDENT_INPUT,
                label="Open incident",
                element=StaticSelectElement(
                    action_id=ids.INCIDENT_INPUT,
                    options=choices[:OPTIONS_MAX],
                    placeholder="Choose an incident",
                ),
            )
        ],
        group=group_id,
    )
