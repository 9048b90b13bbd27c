"""Block Kit builders (slack_sdk.models objects, which validate Slack's limits)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
    StaticSelectElement,
)

from bot.clock import human_duration
from bot.incidents.details import detail_lines
from bot.incidents.lifecycle import explained
from bot.incidents.rules import START_NOUN
from bot.models import SEVERITIES, STATUSES, Incident, TimelineEntry
from bot.slack import ids
from bot.slack.blocks import chunked_sections, clip, options, plain_when, when

SEVERITY_EMOJI = {
    "sev1": ":red_circle:",
    "sev2": ":large_orange_circle:",
    "sev3": ":large_yellow_circle:",
    "sev4": ":white_circle:",
}
KIND_EMOJI = {
    "decision": ":scales:",
    "note": ":memo:",
    "message": ":speech_balloon:",
    "status": ":arrows_counterclockwise:",
    "severity": ":rotating_light:",
    "role": ":bust_in_silhouette:",
    "milestone": ":round_pushpin:",
    "action": ":clipboard:",  # a follow-up to do; ✅ would say it is done
    "update": ":mega:",
}


def incident_card(incident: Incident, zone: ZoneInfo, guide: Sequence[str] = ()) -> list[Block]:
    """The pinned card: title, severity, status, commander, milestones, buttons; `guide`:
    the lines of its type, custom fields and open tasks (bot.incidents.guided)."""
    sev = incident.severity
    commander = f"<@{incident.commander}>" if incident.commander else "_nobody_"
    milestones = []
    for name in ("started", "detected", "declared", "acknowledged", "mitigated", "resolved"):
        value = incident.milestone(name)
        milestones.append(f"*{name}*: {when(value, zone) if value else '—'}")
    blocks: list[Block] = [
        HeaderBlock(text=clip(f"Incident {incident.number}: {incident.title}", 150)),
        *[SectionBlock(text=MarkdownTextObject(text=line)) for line in detail_lines(incident)],
        SectionBlock(
            fields=[
                MarkdownTextObject(text=f"*Severity*\n{SEVERITY_EMOJI[sev]} {sev.upper()}"),
                MarkdownTextObject(text=f"*Status*\n{incident.status}"),
                MarkdownTextObject(text=f"*Commander*\n{commander}"),
                MarkdownTextObject(text="*Private*\nyes" if incident.private else "*Private*\nno"),
            ]
        ),
        SectionBlock(text=MarkdownTextObject(text="\n".join(milestones))),
        *[SectionBlock(text=MarkdownTextObject(text=clip(line, 3000))) for line in guide],
    ]
    if incident.is_open:
        blocks.append(
            ActionsBlock(
                elements=[
                    StaticSelectElement(
                        action_id=ids.CARD_SEVERITY,
                        placeholder="Change severity",
                        options=options(SEVERITIES),
                    ),
                    StaticSelectElement(
                        action_id=ids.CARD_STATUS,
                        placeholder="Change status",
                        options=options([s for s in STATUSES if s != "resolved"]),
                    ),
                    ButtonElement(
                        text="Resolve",
                        action_id=ids.CARD_RESOLVE,
                        value=str(incident.number),
                        style="primary",  # opens a modal asking what fixed it
                    ),
                    ButtonElement(
                        text="Hand over commander",
                        action_id=ids.CARD_COMMANDER,
                        value=str(incident.number),
                    ),
                    _add_action_button(incident),
                ]
            )
        )
    else:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=duration_line(incident))]))
        blocks.append(ActionsBlock(elements=[_add_action_button(incident)]))
    return blocks


def _add_action_button(incident: Incident) -> ButtonElement:
    """Opens the action-item modal (handlers/followups.py); follow-ups outlive the incident."""
    return ButtonElement(
        text="Add action item", action_id=ids.CARD_ACTION_ITEM, value=str(incident.number)
    )


def card_text(incident: Incident) -> str:
    return f"Incident {incident.number} ({incident.severity}, {incident.status}): {incident.title}"


def duration_line(incident: Incident) -> str:
    """`Time to detect: 10m · resolve: 41m (from declaration, start not recorded) · not
    recorded: acknowledge, mitigate`: a guessed start is said, a missing end is not a number."""
    found = explained(incident)
    parts = [
        f"{d.label}: {human_duration(d.seconds)}"
        + (f" (from declaration, {START_NOUN[d.start]} not recorded)" if d.from_declaration else "")
        for d in found
        if d.known
    ]
    missing = [d.label for d in found if not d.known]
    if missing:
        parts.append(f"not recorded: {', '.join(missing)}")
    return "Time to " + " · ".join(parts)


def announcement(incident: Incident, declared_by: str) -> tuple[str, list[Block]]:
    """Announce channel post; a private incident's announcement names no details, nor who
    declared it (a member)."""
    if incident.private:
        text = f":lock: A private incident ({incident.number}) was declared."
        return text, [SectionBlock(text=MarkdownTextObject(text=text))]
    sev = incident.severity
    text = (
        f"{SEVERITY_EMOJI[sev]} *{sev.upper()}* incident {incident.number} declared by "
        f"<@{declared_by}>: *{incident.title}* — join <#{incident.channel_id}>"
    )
    return text, [SectionBlock(text=MarkdownTextObject(text=clip(text))), _subscribe(incident)]


def _subscribe(incident: Incident) -> ActionsBlock:
    """The announcement's Subscribe button: DMs on updates, severity and resolution."""
    button = ButtonElement(
        text="Subscribe", action_id=ids.ANNOUNCE_SUBSCRIBE, value=str(incident.number)
    )
    return ActionsBlock(elements=[button])


def announcement_now(
    incident: Incident, last_update: datetime | None, zone: ZoneInfo
) -> tuple[str, list[Block]]:
    """The announcement as it is edited in place: the incident's current state (public
    incidents only; a private one's announcement never changes)."""
    sev = incident.severity
    head = "resolved" if not incident.is_open else f"{incident.status}"
    text = (
        f"{SEVERITY_EMOJI[sev]} *{sev.upper()}* incident {incident.number} ({head}): "
        f"*{incident.title}* — <#{incident.channel_id}>"
    )
    commander = f"<@{incident.commander}>" if incident.commander else "_nobody_"
    updated = when(last_update, zone) if last_update else "_none yet_"
    state = f"Status *{incident.status}* · Commander {commander} · Last update {updated}"
    lines = [text, state, *detail_lines(incident, 600)]
    if incident.resolution:
        lines.append(f"*Resolution:* {clip(incident.resolution, 600)}")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=clip("\n".join(lines))))]
    return text, [*blocks, _subscribe(incident)] if incident.is_open else blocks


def resolution_announcement(incident: Incident) -> tuple[str, list[Block]]:
    if incident.private:
        text = f":lock: Private incident {incident.number} was resolved."
    else:
        fixed = f"*Resolution:* {clip(incident.resolution, 1500)}\n" if incident.resolution else ""
        text = (
            f":white_check_mark: Incident {incident.number} resolved: *{incident.title}* "
            f"(<#{incident.channel_id}>). {fixed}{duration_line(incident)}"
        )
    return text, [SectionBlock(text=MarkdownTextObject(text=clip(text)))]


def resolved_post(incident: Incident) -> tuple[str, list[Block]]:
    """Its durations, honestly: which were measured from the declaration, which are missing."""
    lines = [f":white_check_mark: *Incident {incident.number} resolved.*"]
    if incident.resolution:
        lines.append(f"*Resolution:* {clip(incident.resolution, 1500)}")
    found = explained(incident)
    lines += [f"• Time to {d.label}: {d.phrase()}" for d in found]
    if any(not d.known or d.from_declaration for d in found):
        lines.append("_A milestone set later, like `/incident started at 13:05`, corrects these._")
    text = "\n".join(lines)
    return text, [SectionBlock(text=MarkdownTextObject(text=text))]


PUBLIC_SOURCE = "status-page"  # the source of an update entry that is also public


def entry_line(entry: TimelineEntry, zone: ZoneInfo, *, rich: bool = True) -> str:
    stamp = when(entry.at, zone) if rich else plain_when(entry.at, zone)
    who = f" <@{entry.author}>" if entry.author else ""
    text = entry.text
    if entry.kind == "decision":
        text = f"*Decision:* {text}"
        if entry.rationale:
            text += f"\n   _because_ {entry.rationale}"
        if entry.alternatives:
            text += f"\n   _alternatives:_ {entry.alternatives}"
        if entry.decided_by and entry.decided_by != entry.author:
            text += f"\n   _decided by_ <@{entry.decided_by}>"
    if entry.kind == "update":
        public = entry.source == PUBLIC_SOURCE
        text = f"*{'Public update (published on the status page)' if public else 'Update'}:* {text}"
    if entry.deleted:
        text = f"~{text}~ _(deleted in Slack)_"
    if entry.permalink:
        text += f" <{entry.permalink}|(message)>"
    return f"{KIND_EMOJI.get(entry.kind, '•')} {stamp}{who}: {text}"


def change_post(entry: TimelineEntry, zone: ZoneInfo) -> tuple[str, list[Block]]:
    """What the channel sees when someone records something."""
    line = entry_line(entry, zone)
    return line, [SectionBlock(text=MarkdownTextObject(text=clip(line)))]


def incident_list(incidents: Sequence[Incident], zone: ZoneInfo, now: datetime) -> list[Block]:
    if not incidents:
        return [SectionBlock(text=MarkdownTextObject(text="No open incidents. :tada:"))]
    blocks: list[Block] = [HeaderBlock(text=f"Open incidents ({len(incidents)})")]
    lines = []
    for inc in incidents:
        age = human_duration(int((now - inc.declared_at).total_seconds()))
        who = f"<@{inc.commander}>" if inc.commander else "no commander"
        lock = ":lock: " if inc.private else ""
        lines.append(
            f"{SEVERITY_EMOJI[inc.severity]} {lock}*Incident {inc.number}* <#{inc.channel_id}> "
            f"{inc.title} — {inc.status}, {who}, {age} old"
            + "".join(f"\n      {line}" for line in detail_lines(inc, 150))
        )
    blocks.extend(chunked_sections(lines, max_blocks=48))
    return blocks
