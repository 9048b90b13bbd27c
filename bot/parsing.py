"""What people type: times, due dates, mentions and text limits, read strictly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import IncidentError

TEXT_MAX = 3000  # one section block of text; longer input is refused, never cut silently
TIME_FORMS = "HH:MM, YYYY-MM-DD HH:MM, or ISO-8601 with an offset such as 2026-11-26T13:50+01:00"
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def parse_user(word: str) -> str:
    """Slack's escaped mention `<@U123>` or `<@U123|name>` -> `U123`."""
    match = _MENTION.match(word.strip())
    if not match:
        raise IncidentError(f"`{word}` is not a person: mention them, like @alice.")
    return match.group(1)


def parse_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Parse what a person typed as a moment; returns UTC. Refuses times in the future."""
    raw = text.strip()
    value: datetime | None = None
    if re.fullmatch(r"\d{1,2}:\d{2}", raw):
        hour, minute = (int(p) for p in raw.split(":"))
        if hour < 24 and minute < 60:
            local_today = now.astimezone(zone).date()
            value = datetime(local_today.year, local_today.month, local_today.day, hour, minute)
            value = value.replace(tzinfo=zone)
            if _ambiguous_or_missing(value, zone):
                raise IncidentError(
                    f"`{raw}` is ambiguous or does not exist today in {zone.key} (a clock "
                    "change): give the offset, e.g. 2026-10-25T02:30+02:00."
                )
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}", raw):
        try:
            value = datetime.fromisoformat(raw.replace(" ", "T")).replace(tzinfo=zone)
        except ValueError:
            value = None
        if value is not None and _ambiguous_or_missing(value, zone):
            raise IncidentError(
                f"`{raw}` is ambiguous or does not exist in {zone.key} (a clock change): "
                "give the offset, e.g. 2026-10-25T02:30+02:00."
            )
    else:
        try:
            parsed = datetime.fromisoformat(raw)
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            value = parsed
        elif parsed is not None:
            raise IncidentError(f"`{raw}` has no offset: use {TIME_FORMS}.")
    if value is None:
        raise IncidentError(f"`{raw}` is not a time: use {TIME_FORMS}.")
    value = value.astimezone(UTC)
    if value > now + timedelta(minutes=1):
        raise IncidentError(f"`{raw}` is in the future: milestones and notes record the past.")
    return value


def _ambiguous_or_missing(local: datetime, zone: ZoneInfo) -> bool:
    first = local.replace(fold=0)
    second = local.replace(fold=1)
    if first.utcoffset() != second.utcoffset():
        return True  # ambiguous (repeated hour) or missing (skipped hour)
    roundtrip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return roundtrip != local.replace(tzinfo=None)


def parse_due(text: str, today: date) -> date:
    """`YYYY-MM-DD`, `today`, `tomorrow` or `in N days` -> a date not in the past."""
    raw = text.strip().lower()
    if raw == "today":
        due = today
    elif raw == "tomorrow":
        due = today + timedelta(days=1)
    elif match := re.fullmatch(r"in (\d{1,3}) (day|days|week|weeks)", raw):
        days = int(match.group(1)) * (7 if match.group(2).startswith("week") else 1)
        due = today + timedelta(days=days)
    else:
        try:
            due = date.fromisoformat(raw)
        except ValueError:
            raise IncidentError(
                f"`{text}` is not a due date: use YYYY-MM-DD, tomorrow, or in N days."
            ) from None
    if due < today:
        raise IncidentError(f"`{text}` is in the past: a due date must be today or later.")
    return due


def check_text(text: str, what: str, limit: int = TEXT_MAX) -> str:
    """The text stripped; refused when empty or longer than Slack shows in one block."""
    text = text.strip()
    if not text:
        raise IncidentError(f"The {what} is empty.")
    if len(text) > limit:
        raise IncidentError(
            f"The {what} is {len(text)} characters; Slack allows {limit}. Shorten it or split it."
        )
    return text
