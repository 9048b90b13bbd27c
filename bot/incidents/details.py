"""The incident's summary and customer impact: set by people, shown wherever the incident is."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.errors import IncidentError
from bot.incidents.lifecycle import add_entry
from bot.models import SUMMARY_MAX, Incident, TimelineEntry
from bot.parsing import check_text

# field -> how people call it; the timeline entry is a note saying what it became, so the
# export's timeline kinds stay SPEC's list.
DETAILS = {"summary": "summary", "impact": "customer impact"}
LABELS = {"summary": "Summary", "impact": "Customer impact"}


def check_detail(field: str, text: str, usage: str | None = None) -> str:
    """The text as stored; one line with the right form when it is empty or too long."""
    try:
        return check_text(text, DETAILS[field], SUMMARY_MAX)
    except IncidentError as exc:
        raise IncidentError(exc.message + (f" Use: `{usage}`" if usage else "")) from exc


def set_detail(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: str,
    field: str,
    text: str,
    usage: str | None = None,
) -> TimelineEntry:
    """Set the summary or the impact (`field`), recorded on the timeline as a note."""
    text = check_detail(field, text, usage)
    if getattr(incident, field) == text:
        raise IncidentError(
            f"The {DETAILS[field]} of incident {incident.number} already says that."
        )
    setattr(incident, field, text)
    line = f"{LABELS[field]} set: {text}"
    return add_entry(session, incident, at=now, kind="note", text=line, author=user, now=now)


def detail_lines(incident: object, limit: int | None = None) -> list[str]:
    """`*Summary:* …` and `*Customer impact:* …` for those set on an incident (or a row with
    `summary` and `impact`), each clipped to `limit`."""
    lines = []
    for field, label in LABELS.items():
        value = getattr(incident, field)
        if value:
            shown = value if limit is None or len(value) <= limit else value[: limit - 1] + "…"
            lines.append(f"*{label}:* {shown}")
    return lines
