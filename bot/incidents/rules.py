"""Pure incident rules: naming, milestone order, durations, parsing what people type."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.errors import IncidentError
from bot.models import MILESTONES, SEVERITIES, STATUSES

CHANNEL_NAME_MAX = 80
TITLE_MAX = 200
TEXT_MAX = 3000  # one section block of text; longer input is refused, never cut silently
TIME_FORMS = "HH:MM, YYYY-MM-DD HH:MM, or ISO-8601 with an offset such as 2026-11-26T13:50+01:00"
DURATIONS = {
    "time_to_detect": ("started", "detected"),
    "time_to_acknowledge": ("detected", "acknowledged"),
    "time_to_mitigate": ("started", "mitigated"),
    "time_to_resolve": ("started", "resolved"),
}
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")


def slugify(title: str) -> str:
    """Slack channel-safe slug: lowercase ASCII letters, digits and single hyphens."""
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def channel_name(prefix: str, number: int, title: str, attempt: int = 0) -> str:
    """`<prefix>-<number>-<slug>` within 80 chars; later attempts add a suffix for uniqueness."""
    suffix = f"-{attempt + 1}" if attempt else ""
    head = f"{prefix}-{number}"
    room = CHANNEL_NAME_MAX - len(head) - len(suffix) - 1
    slug = slugify(title)[:room].rstrip("-")
    return f"{head}-{slug}{suffix}" if slug else f"{head}{suffix}"


def parse_severity(word: str) -> str:
    value = word.strip().lower()
    if value in SEVERITIES:
        return value
    if value in ("1", "2", "3", "4"):
        return f"sev{value}"
    raise IncidentError(f"`{word}` is not a severity: use one of sev1, sev2, sev3, sev4.")


def parse_status(word: str) -> str:
    value = word.strip().lower()
    if value in STATUSES:
        return value
    raise IncidentError(f"`{word}` is not a status: use one of {', '.join(STATUSES)}.")


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


@dataclass(frozen=True)
class MilestoneTimes:
    started: datetime | None
    detected: datetime | None
    declared: datetime
    acknowledged: datetime | None
    mitigated: datetime | None
    resolved: datetime | None

    def get(self, name: str) -> datetime | None:
        return getattr(self, name)


def check_milestone_order(times: MilestoneTimes, name: str, value: datetime) -> None:
    """Set milestones must keep started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved."""
    index = MILESTONES.index(name)
    for earlier in MILESTONES[:index]:
        other = times.get(earlier)
        if other is not None and other > value:
            raise IncidentError(
                f"{name} can't be {_fmt(value)}: it is before {earlier} ({_fmt(other)}). "
                f"Milestones go {' ≤ '.join(MILESTONES)}."
            )
    for later in MILESTONES[index + 1 :]:
        other = times.get(later)
        if other is not None and other < value:
            raise IncidentError(
                f"{name} can't be {_fmt(value)}: it is after {later} ({_fmt(other)}). "
                f"Milestones go {' ≤ '.join(MILESTONES)}."
            )


def _fmt(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def durations(times: MilestoneTimes) -> dict[str, int | None]:
    """SPEC durations in seconds; unset started/detected count as declared; missing end -> None."""
    start_of = {
        "started": times.started or times.declared,
        "detected": times.detected or times.declared,
    }
    out: dict[str, int | None] = {}
    for key, (start, end) in DURATIONS.items():
        end_at = times.get(end)
        out[key] = None if end_at is None else int((end_at - start_of[start]).total_seconds())
    return out


def human_duration(seconds: int | None) -> str:
    """`1h 05m`, `3d 2h`, `45s`; `unknown` for None."""
    if seconds is None:
        return "unknown"
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m {secs:02d}s" if secs else f"{sign}{minutes}m"
    return f"{sign}{secs}s"


def check_text(text: str, what: str, limit: int = TEXT_MAX) -> str:
    text = text.strip()
    if not text:
        raise IncidentError(f"The {what} is empty.")
    if len(text) > limit:
        raise IncidentError(
            f"The {what} is {len(text)} characters; Slack allows {limit}. Shorten it or split it."
        )
    return text
