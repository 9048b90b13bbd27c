"""What people type: times, due dates, mentions and text limits, read strictly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import IncidentError

TEXT_MAX = 3000  # one section block of text; longer input is refused, never cut silently
TIME_FORMS = "HH:MM, YYYY-MM-DD HH:MM, or ISO-8601 with an offset such as 2026-11-26T13:50+01:00"
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# Slack tokens in people's text that stay live: a person, a channel, a link. None of them
# notifies a crowd, and people do want to mention a colleague or link a dashboard.
_KEPT_TOKEN = re.compile(
    r"(<(?:@[UW][A-Z0-9]+|#[CG][A-Z0-9]+|(?:https?|mailto):[^\s<>|]+)(?:\|[^<>]*)?>)"
)
_SPECIAL = re.compile(r"[<>]|&(?!(?:amp|lt|gt);)")
_ESCAPES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# Bare words a mrkdwn text object may parse into a broadcast (verbatim=false); a word joiner
# after the @ keeps them readable and inert. (`<!here>` tokens are escaped, which is sturdier.)
_BROADCAST_WORD = re.compile(r"(?<![\w@])@(channel|here|everyone)\b", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # after CR/CRLF became \n


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
    """Typed text as it is stored: stripped and neutralised; refused when empty, holding a
    control character (other than newline and tab), or longer than Slack shows in one block."""
    typed = _newlines(text).strip()
    if not typed:
        raise IncidentError(f"The {what} is empty.")
    if bad := _CONTROL.search(typed):
        raise IncidentError(
            f"The {what} contains a control character (U+{ord(bad.group()):04X}), which can't "
            "be stored or shown: remove it and send it again."
        )
    text = neutralise(typed)
    if len(text) > limit:
        grown = " once &, < and > are escaped for Slack" if len(text) > len(typed) else ""
        raise IncidentError(
            f"The {what} is {len(text)} characters{grown}; Slack allows {limit}. "
            "Shorten it or split it."
        )
    return text


def without_controls(text: str) -> str:
    """Text someone else wrote (a kept message) with its control characters dropped."""
    return _CONTROL.sub("", _newlines(text))


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def neutralise(text: str) -> str:
    """Text we did not write, safe to post anywhere: `<!channel>`, `<!here>`, `<!everyone>`,
    `<!subteam^…>` and any other special token are escaped (shown, not triggered), as are
    stray `<`, `>` and `&`; mentions of people and channels, and links, stay live.

    Text that is already escaped (Slack escapes what people type in commands and messages)
    passes unchanged: applying this twice gives what applying it once gave.
    """
    parts = _KEPT_TOKEN.split(text)  # kept tokens at the odd indices
    for i in range(0, len(parts), 2):
        escaped = _SPECIAL.sub(lambda m: _ESCAPES[m.group()], parts[i])
        parts[i] = _BROADCAST_WORD.sub("@\u2060\\1", escaped)
    return "".join(parts)
