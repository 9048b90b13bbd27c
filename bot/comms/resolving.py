"""Resolving with what fixed it: the resolution summary goes on the incident (card,
announcement, resolve post, postmortem "Resolution"), on the timeline, and the follow-ups
typed with it become action items, all in the resolution's one transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.followups.items import add_action_item
from bot.incidents import publishing
from bot.incidents.lifecycle import add_entry, set_milestone
from bot.models import SUMMARY_MAX, Incident, TimelineEntry
from bot.parsing import check_text

RESOLUTION_PREFIX = "Resolution: "  # the timeline note of the summary (bot.drafting cites it)
FOLLOWUPS_MOST = 10


def check_resolution(text: str) -> str:
    """The resolution summary as stored; one line when it is empty or too long."""
    return check_text(text, "resolution summary", SUMMARY_MAX)


def followup_lines(text: str | None) -> list[str]:
    """The follow-ups typed one per line (blank lines skipped, at most FOLLOWUPS_MOST)."""
    lines = [line.strip(" -•*\t") for line in (text or "").splitlines()]
    return [line for line in lines if line][:FOLLOWUPS_MOST]


def resolve(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: str,
    at: datetime,
    summary: str | None,
    followups: list[str] | tuple[str, ...] = (),
) -> TimelineEntry:
    """Resolve the incident (its `resolved` milestone) with the summary of what fixed it and
    the follow-ups, each an action item whose echo is merged with the resolution's."""
    if summary is not None:
        summary = check_resolution(summary)
        incident.resolution = summary
        line = RESOLUTION_PREFIX + summary
        add_entry(session, incident, at=at, kind="note", text=line, author=user, now=now)
    for text in followups:
        _item, entry = add_action_item(session, incident, now=now, user=user, text=text)
        publishing.record(session, incident, entry, now)
    return set_milestone(session, incident, now=now, user=user, name="resolved", at=at)
