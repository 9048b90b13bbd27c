"""Block Kit for alerts: the triage message, the incident's alert summary, the resolve notice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    HeaderBlock,
)

from bot.alerts.wording import label_code, source_name
from bot.slack import ids
from bot.slack.blocks import clip, context, one_line, section, when

ALERTS_SHOWN = 10
HEADER_MAX = 150


@dataclass(frozen=True)
class AlertLine:
    name: str
    status: str
    labels: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    url: str | None


@dataclass(frozen=True)
class LinkedIncident:
    """The incident a group feeds, as the triage channel may see it."""

    number: int
    channel_id: str
    private: bool


@dataclass(frozen=True)
class GroupView:
    """What a triage message or a summary shows of one group, read from the record."""

    id: int
    source: str
    title: str
    status: str
    rule: str | None
    labels: dict[str, str]
    links: list[list[str]]
    first_seen_at: datetime
    last_seen_at: datetime
    alerts: list[AlertLine] = field(default_factory=list)
    incident: LinkedIncident | None = None
    pressed_by: str | None = None
    ignored_by: str | None = None
    ack_by: str | None = None

    @property
    def firing(self) -> int:
        return sum(1 for a in self.alerts if a.status == "firing")

    @property
    def resolved(self) -> int:
        return len(self.alerts) - self.firing


def _counts(group: GroupView) -> str:
    return f"*{group.firing} firing* · {group.resolved} resolved"


def _alert_line(alert: AlertLine, common: dict[str, str], zone: ZoneInfo) -> str:
    labels = label_code(alert.labels, skip=common)
    link = f" · <{alert.url}|source>" if alert.url else ""
    if alert.status == "firing":
        since = when(alert.starts_at, zone)
        return f":red_circle: *{one_line(alert.name)}* {labels} since {since}{link}"
    ended = f" at {when(alert.ends_at, zone)}" if alert.ends_at else ""
    return f":white_check_mark: ~{one_line(alert.name)}~ {labels} resolved{ended}{link}"


def alert_lines(group: GroupView, zone: ZoneInfo) -> str:
    """Firing alerts first, newest first; what doesn't fit is counted, never dropped silently."""
    ordered = sorted(group.alerts, key=lambda a: (a.status != "firing", -a.starts_at.timestamp()))
    shown = [_alert_line(a, group.labels, zone) for a in ordered[:ALERTS_SHOWN]]
    hidden = ordered[ALERTS_SHOWN:]
    if hidden:
        firing = sum(1 for a in hidden if a.status == "firing")
        shown.append(f"…and {len(hidden)} more ({firing} firing, {len(hidden) - firing} resolved)")
    return clip("\n".join(shown) or "_no alerts in this notification_")


def _links(group: GroupView) -> str:
    return " · ".join(f"<{url}|{label}>" for label, url in group.links[:3])


def _header(group: GroupView) -> HeaderBlock:
    state = "FIRING" if group.status == "firing" else "RESOLVED"
    icon = ":rotating_light:" if group.status == "firing" else ":white_check_mark:"
    text = f"{icon} {state}: {one_line(group.title)}"
    return HeaderBlock(text=text if len(text) <= HEADER_MAX else text[: HEADER_MAX - 1] + "…")


def _outcome(group: GroupView) -> str | None:
    """Who did what with the group; a private incident is not named in a shared channel."""
    if group.incident is not None:
        if group.incident.private:
            return ":lock: Attached to a private incident."
        who = f" by <@{group.pressed_by}>" if group.pressed_by else " by a routing rule"
        return (
            f":fire_engine: Incident {group.incident.number}{who}: <#{group.incident.channel_id}>"
        )
    if group.ignored_by:
        return f":see_no_evil: Ignored by <@{group.ignored_by}>."
    return None


def triage_text(group: GroupView) -> str:
    state = "FIRING" if group.status == "firing" else "RESOLVED"
    return f"{state}: {group.title} ({group.firing} firing, {group.resolved} resolved)"


def triage_message(group: GroupView, zone: ZoneInfo) -> tuple[str, list[Block]]:
    """One message per group, edited in place as its alerts fire and resolve."""
    rule = f"rule `{group.rule}`" if group.rule else "no rule matched"
    common = label_code(group.labels, limit=6)
    lines = [f"{_counts(group)} · {source_name(group.source)} · {rule}"]
    if common:
        lines.append(common)
    if group.ack_by:
        lines.append(f":eyes: Acknowledged in {source_name(group.source)} by {group.ack_by}")
    small = f"First seen {when(group.first_seen_at, zone)} · last {when(group.last_seen_at, zone)}"
    if group.links:
        small += f" · {_links(group)}"
    blocks: list[Block] = [
        _header(group),
        section("\n".join(lines)),
        section(alert_lines(group, zone)),
        context(small),
    ]
    outcome = _outcome(group)
    if outcome:
        blocks.append(context(outcome))
    else:
        blocks.append(_buttons(group))
    return triage_text(group), blocks


def _buttons(group: GroupView) -> ActionsBlock:
    value = str(group.id)
    return ActionsBlock(
        elements=[
            ButtonElement(
                text="Declare incident", action_id=ids.ALERT_DECLARE, value=value, style="primary"
            ),
            ButtonElement(text="Attach to incident", action_id=ids.ALERT_ATTACH, value=value),
            ButtonElement(text="Ignore", action_id=ids.ALERT_IGNORE, value=value),
        ]
    )


def summary_message(
    number: int, groups: Sequence[GroupView], zone: ZoneInfo
) -> tuple[str, list[Block]]:
    """The incident's alerts in one threaded message, edited in place."""
    firing = sum(g.firing for g in groups)
    resolved = sum(g.resolved for g in groups)
    state = f"{firing} firing, {resolved} resolved"
    blocks: list[Block] = [section(f":bell: *Alerts of incident {number}*: {state}")]
    for group in groups[:20]:
        head = f"*{one_line(group.title)}* · {source_name(group.source)} · {_counts(group)}"
        blocks.append(section(head + "\n" + alert_lines(group, zone)))
    if len(groups) > 20:
        blocks.append(context(f"…and {len(groups) - 20} more alert groups"))
    blocks.append(
        context("Every alert that fires or resolves is on the timeline (`/incident timeline`).")
    )
    return f"Alerts of incident {number}: {state}", blocks[:50]


def resolved_notice(number: int) -> tuple[str, list[Block]]:
    """Told once when every alert of the incident has resolved; people decide, not alerts."""
    text = f"All alerts resolved — resolve incident {number}?"
    button = ButtonElement(
        text="Resolve incident",
        action_id=ids.CARD_RESOLVE,
        value=str(number),
        style="primary",  # the card's Resolve: a modal asks what fixed it
    )
    body = (
        ":white_check_mark: *All alerts resolved* — resolve the incident? "
        "It stays open until someone does."
    )
    return text, [section(body), ActionsBlock(elements=[button])]
