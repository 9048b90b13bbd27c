"""Pure rules of the status page: impacts, the overall status, public text, public ids."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable

from bot.errors import IncidentError
from bot.status_models import PUBLIC_TEXT_MAX, PUBLIC_TITLE_MAX

# Worst last: a component's state is the worst impact of the ongoing incidents naming it.
IMPACTS = ("degraded_performance", "partial_outage", "major_outage")
OPERATIONAL = "operational"
IMPACT_LABELS = {
    OPERATIONAL: "Operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
# Statuspage's page indicator and incident impact for each component state.
INDICATORS = {
    OPERATIONAL: "none",
    "degraded_performance": "minor",
    "partial_outage": "major",
    "major_outage": "critical",
}
OVERALL = {
    OPERATIONAL: "All systems operational",
    "degraded_performance": "Degraded performance",
    "partial_outage": "Partial outage",
    "major_outage": "Major outage",
}
DISRUPTION = "Service disruption"  # an ongoing public incident naming no component
STATUS_LABELS = {
    "investigating": "Investigating",
    "identified": "Identified",
    "monitoring": "Monitoring",
    "resolved": "Resolved",
}
RESOLVED_TEXT = "This incident has been resolved."
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_PERSON_OR_CHANNEL = re.compile(r"<[@#!][^>]*>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def public_id() -> str:
    """A random public id (12 of [a-z0-9], like Statuspage's): not the incident number."""
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(12))


def worst(impacts: Iterable[str]) -> str:
    """The worst of some impacts; operational when there are none."""
    ranked = [IMPACTS.index(i) for i in impacts if i in IMPACTS]
    return IMPACTS[max(ranked)] if ranked else OPERATIONAL


def from_slack(text: str) -> str:
    """A slash command's text (Slack-escaped, links in <url|label>) as the person typed it.

    Mentions of people, channels and groups are refused: the status page is public and they
    would name someone inside."""
    if match := _PERSON_OR_CHANNEL.search(text):
        raise IncidentError(
            f"A public update can't mention people or channels (`{match.group()}`): the status "
            "page is public. Describe the impact in words and send it again."
        )
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    # Slack escapes exactly these three; &lt; and &gt; first, so a typed "&lt;" stays as typed.
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def check_public_text(text: str, what: str = "public update", limit: int = PUBLIC_TEXT_MAX) -> str:
    """Stripped text, refused when empty, with a control character, or too long."""
    typed = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not typed:
        raise IncidentError(f"The {what} is empty.")
    if bad := _CONTROL.search(typed):
        raise IncidentError(
            f"The {what} contains a control character (U+{ord(bad.group()):04X}): remove it "
            "and send it again."
        )
    if len(typed) > limit:
        raise IncidentError(f"The {what} is {len(typed)} characters; at most {limit} are shown.")
    return typed


def check_public_title(title: str) -> str:
    """The public title: required, one line, at most PUBLIC_TITLE_MAX characters."""
    return check_public_text(" ".join(title.split()), "public title", PUBLIC_TITLE_MAX)
