"""Pure incident rules: channel naming, severity and status words, milestone order, durations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.clock import human_duration
from bot.errors import IncidentError
from bot.models import MILESTONES, SEVERITIES, STATUSES

CHANNEL_NAME_MAX = 80
DURATIONS = {
    "time_to_detect": ("started", "detected"),
    "time_to_acknowledge": ("detected", "acknowledged"),
    "time_to_mitigate": ("started", "mitigated"),
    "time_to_resolve": ("started", "resolved"),
}


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


class OutOfOrder(IncidentError):
    """A milestone time that would break the order rule; `describe` can show how it was typed."""

    def __init__(self, name: str, value: datetime, relation: str, other: str, at: datetime):
        self.name, self.relation, self.other, self.other_at = name, relation, other, at
        super().__init__(self.describe(_fmt(value)))

    def describe(self, shown: str) -> str:
        return (
            f"{self.name} can't be {shown}: it is {self.relation} {self.other} "
            f"({_fmt(self.other_at)}). Milestones go {' ≤ '.join(MILESTONES)}."
        )


def check_milestone_order(times: MilestoneTimes, name: str, value: datetime) -> None:
    """Set milestones must keep started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved."""
    index = MILESTONES.index(name)
    for earlier in MILESTONES[:index]:
        other = times.get(earlier)
        if other is not None and other > value:
            raise OutOfOrder(name, value, "before", earlier, other)
    for later in MILESTONES[index + 1 :]:
        other = times.get(later)
        if other is not None and other < value:
            raise OutOfOrder(name, value, "after", later, other)


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


START_NOUN = {"started": "start", "detected": "detection"}


@dataclass(frozen=True)
class Duration:
    """One SPEC duration and what it rests on, so it can be shown honestly."""

    key: str  # time_to_resolve
    seconds: int | None  # None: the end milestone is not set
    start: str  # the milestone it is measured from
    end: str
    from_declaration: bool  # the start milestone is not set: measured from the declaration

    @property
    def label(self) -> str:
        """`resolve`, as in "time to resolve"."""
        return self.key.removeprefix("time_to_")

    def phrase(self) -> str:
        """`41m`, `41m from declaration — start not recorded`, `not recorded (no mitigated
        time)`: never a bare number whose start was guessed."""
        if self.seconds is None:
            return f"not recorded (no {self.end} time)"
        if self.from_declaration and self.seconds <= 0:  # e.g. detected when it was declared
            return f"not known — {START_NOUN[self.start]} not recorded"
        value = human_duration(self.seconds)
        if self.from_declaration:
            return f"{value} from declaration — {START_NOUN[self.start]} not recorded"
        return value

    @property
    def known(self) -> bool:
        """A number worth showing: an end, and a start recorded or before it."""
        return self.seconds is not None and not (self.from_declaration and self.seconds <= 0)


def explained_durations(times: MilestoneTimes) -> list[Duration]:
    """SPEC's four durations (as `durations`), each with whether its start was recorded."""
    seconds = durations(times)
    return [
        Duration(key, seconds[key], start, end, from_declaration=times.get(start) is None)
        for key, (start, end) in DURATIONS.items()
    ]
