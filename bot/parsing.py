"""What people type: times, due dates, mentions and text limits, read strictly."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.errors import IncidentError

TEXT_MAX = 3000  # one section block of text; longer input is refused, never cut silently
TIME_FORMS = (
    "HH:MM, yesterday HH:MM, YYYY-MM-DD HH:MM, or ISO-8601 with an offset such as "
    "2026-11-26T13:50+01:00"
)
DUE_FORMS = (
    "YYYY-MM-DD, today, tomorrow, in N days, in N weeks, a weekday (friday: the coming one), "
    "next friday (next week's) or eow (this week's Friday)"
)
FUTURE_GRACE = timedelta(minutes=1)  # clocks differ a little; "now" typed a bit early is now
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_WORDS = {
    **{name: i for i, name in enumerate(WEEKDAYS)},
    **{name[:3]: i for i, name in enumerate(WEEKDAYS)},
    "tues": 1,
    "thur": 3,
    "thurs": 3,
}
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_CLOCK = re.compile(r"(\d{1,2}):(\d{2})")
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
        shown = " ".join(word.split())
        raise IncidentError(f"`{shown}` is not a person: mention them, like @alice.")
    return match.group(1)


@dataclass(frozen=True)
class TypedTime:
    """A moment someone typed and how it was read: `at` is UTC."""

    raw: str
    at: datetime
    shown: datetime  # the same moment in the zone (or offset) it was read in
    zone_name: str

    @property
    def reading(self) -> str:
        """`read as 2026-11-26 23:59 Europe/Berlin = 22:59 UTC`."""
        utc = self.at.astimezone(UTC)
        same_day = utc.date() == self.shown.date()
        return f"read as {self.shown:%Y-%m-%d %H:%M} {self.zone_name} = {utc:%H:%M} UTC" + (
            "" if same_day else f" on {utc:%Y-%m-%d}"
        )


def parse_time(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """Parse what a person typed as a moment; returns UTC. Refuses times in the future."""
    return read_time(text, now, zone).at


def read_time(text: str, now: datetime, zone: ZoneInfo) -> TypedTime:
    """A typed time read in `zone`: `HH:MM` is its most recent past occurrence (so 23:50 typed
    at 00:10 is yesterday), `yesterday HH:MM`, `YYYY-MM-DD HH:MM`, or ISO-8601 with an offset.
    Every refusal names the zone it read the time in."""
    raw = " ".join(text.split())
    lowered = raw.lower()
    local_today = now.astimezone(zone).date()
    if clock := _CLOCK.fullmatch(raw):
        hour_minute = _hour_minute(clock, raw, zone)
        day = local_today
        if _wall(day, hour_minute, zone).astimezone(UTC) > now + FUTURE_GRACE:
            day -= timedelta(days=1)  # not yet today: the most recent one was yesterday
        return _local(raw, day, hour_minute, zone)
    if lowered.startswith("yesterday ") and (clock := _CLOCK.fullmatch(raw[10:])):
        day = local_today - timedelta(days=1)
        return _local(raw, day, _hour_minute(clock, raw, zone), zone)
    if match := re.fullmatch(r"(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})", raw):
        try:
            day = date.fromisoformat(match.group(1))
        except ValueError:
            raise _not_a_time(raw, zone) from None
        typed = _local(raw, day, _hour_minute(_CLOCK.fullmatch(match.group(2)), raw, zone), zone)
        return _not_future(typed, now)
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        raise _not_a_time(raw, zone) from None
    if parsed.tzinfo is None:
        raise IncidentError(
            f"`{raw}` has no offset: use {TIME_FORMS} (HH:MM is read in {zone.key})."
        )
    offset = parsed.strftime("%z")
    label = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("+0000", "-0000") else "UTC"
    return _not_future(TypedTime(raw, parsed.astimezone(UTC), parsed, label), now)


def _not_a_time(raw: str, zone: ZoneInfo) -> IncidentError:
    return IncidentError(f"`{raw}` is not a time: use {TIME_FORMS} (read in {zone.key}).")


def _hour_minute(clock: re.Match[str] | None, raw: str, zone: ZoneInfo) -> time:
    hour, minute = (int(p) for p in clock.groups()) if clock else (99, 99)
    if hour > 23 or minute > 59:
        raise _not_a_time(raw, zone)
    return time(hour, minute)


def _wall(day: date, at: time, zone: ZoneInfo, fold: int = 0) -> datetime:
    return datetime.combine(day, at, tzinfo=zone).replace(fold=fold)


def _local(raw: str, day: date, at: time, zone: ZoneInfo) -> TypedTime:
    """That wall-clock time on that day in `zone`; refused when a clock change makes it
    ambiguous (it happens twice) or impossible (it is skipped)."""
    first, second = _wall(day, at, zone, 0), _wall(day, at, zone, 1)
    wall = f"{day.isoformat()} {at:%H:%M}"
    if first.utcoffset() != second.utcoffset():
        roundtrip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if roundtrip == first.replace(tzinfo=None):
            raise IncidentError(
                f"`{raw}` is ambiguous: {wall} happens twice in {zone.key} (the clocks went "
                f"back). Give the offset: {first.isoformat(timespec='minutes')} for the first, "
                f"{second.isoformat(timespec='minutes')} for the second."
            )
        raise IncidentError(
            f"`{raw}` does not exist: {wall} is skipped in {zone.key} (the clocks went "
            "forward). Give a time outside the gap, or an offset."
        )
    return TypedTime(raw, first.astimezone(UTC), first, zone.key)


def _not_future(typed: TypedTime, now: datetime) -> TypedTime:
    if typed.at > now + FUTURE_GRACE:
        raise IncidentError(
            f"`{typed.raw}` is in the future ({typed.reading}): milestones and notes record "
            "the past."
        )
    return typed


def parse_due(text: str, today: date) -> date:
    """A due date as people say it, counted from `today` (the typist's local date):
    `YYYY-MM-DD`, `today`, `tomorrow`, `in N days|weeks`, a weekday name (the coming one, so
    `friday` on a Friday is today), `next <weekday>` (that day in next week) or `eow` (this
    week's Friday; on a weekend, the coming one). Never a past date."""
    raw = " ".join(text.split())
    words = raw.lower().split(" ")
    due: date | None = None
    if raw.lower() == "today":
        due = today
    elif raw.lower() == "tomorrow":
        due = today + timedelta(days=1)
    elif match := re.fullmatch(r"in (\d{1,3}|a|an|one) (day|days|week|weeks)", raw.lower()):
        count = 1 if match.group(1) in ("a", "an", "one") else int(match.group(1))
        due = today + timedelta(days=count * (7 if match.group(2).startswith("week") else 1))
    elif raw.lower() == "eow":
        due = _coming(today, WEEKDAYS.index("friday"))
    elif len(words) == 1 and words[0] in _WEEKDAY_WORDS:
        due = _coming(today, _WEEKDAY_WORDS[words[0]])
    elif len(words) == 2 and words[0] == "next" and words[1] in _WEEKDAY_WORDS:
        next_monday = today + timedelta(days=7 - today.weekday())
        due = next_monday + timedelta(days=_WEEKDAY_WORDS[words[1]])
    elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        try:
            due = date.fromisoformat(raw)
        except ValueError:
            due = None
    if due is None:
        shown = f"`{raw}` is not a due date" if raw else "`due` needs a date"
        raise IncidentError(f"{shown}: use {DUE_FORMS}.")
    if due < today:
        raise IncidentError(f"`{raw}` is in the past: a due date must be today or later.")
    return due


def _coming(today: date, weekday: int) -> date:
    """The next day with this weekday, today included."""
    return today + timedelta(days=(weekday - today.weekday()) % 7)


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
