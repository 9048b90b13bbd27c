"""The narrative sections of a postmortem: claims that cite timeline entries.

Without a model the sections hold short factual sentences built from the timeline plus clearly
marked prompts for people to fill in; with a model they hold its checked claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clock import human_duration
from bot.comms.resolving import RESOLUTION_PREFIX as RESOLVED_BY
from bot.drafting.facts import Entry, Facts

SECTIONS: dict[str, str] = {
    "summary": "Summary",
    "impact": "Impact",
    "root_causes": "Root causes",
    "trigger": "Trigger",
    "detection": "Detection",
    "resolution": "Resolution",
    "went_well": "What went well",
    "went_wrong": "What went wrong",
    "got_lucky": "Where we got lucky",
}
FILL_IN: dict[str, str] = {
    "summary": "In two or three sentences: what happened, to whom, and how it ended.",
    "impact": "Who and what was affected, how badly and for how long (users, requests, revenue, "
    "data).",
    "root_causes": "Why it happened: the underlying causes, not only the last change. Ask 'why?' "
    "until the answer is about a system or process.",
    "trigger": "The change or event that turned the latent causes into an outage.",
    "detection": "How we found out (alert, customer, luck) and how we could have found out sooner.",
    "resolution": "What actually fixed it, and what we tried that did not.",
    "went_well": "What worked: tooling, people, process.",
    "went_wrong": "What slowed us down or made it worse.",
    "got_lucky": "Where things could easily have been worse.",
}


@dataclass
class Claim:
    text: str
    citations: list[int] = field(default_factory=list)
    supported: bool = True
    note: str | None = None


@dataclass
class Narrative:
    sections: dict[str, list[Claim]] = field(default_factory=dict)
    fill_in: dict[str, str] = field(default_factory=dict)
    ai_model: str | None = None
    notes: list[str] = field(default_factory=list)  # e.g. condensation, dropped citations

    def claims(self, key: str) -> list[Claim]:
        return self.sections.get(key, [])


def utc(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "not recorded"


def _cite(*entries: Entry | None) -> list[int]:
    return [e.id for e in entries if e is not None]


def _since_start(facts: Facts, key: str, start: str = "started") -> str:
    """`50m after it started`, or how long after the declaration when the start is unknown."""
    seconds = facts.durations[key]
    event, noun = ("started", "start") if start == "started" else ("was detected", "detection")
    if facts.milestones[start] is not None:
        return f"{human_duration(seconds)} after it {event}"
    if seconds is None or seconds <= 0:
        return f"its {noun} was not recorded"
    return f"{human_duration(seconds)} after it was declared (its {noun} was not recorded)"


def factual_narrative(facts: Facts) -> Narrative:
    """Short, true sentences from the timeline; sections nobody can fill from the timeline ask
    people to."""
    m = facts.milestones
    declared, resolved = facts.milestone_entry("declared"), facts.milestone_entry("resolved")
    summary = (
        f"{facts.severity.upper()} incident {facts.number} “{facts.title}” was declared "
        f"{utc(m['declared'])} by <@{facts.declared_by}>."
    )
    if m["resolved"]:
        summary += (
            f" It was resolved {utc(m['resolved'])}, {_since_start(facts, 'time_to_resolve')}."
        )
    else:
        summary += f" It is not resolved yet (status: {facts.status})."
    sections: dict[str, list[Claim]] = {key: [] for key in SECTIONS}
    fill_in = dict(FILL_IN)
    sections["summary"].append(Claim(summary, _cite(declared, resolved)))

    if m["mitigated"]:
        sections["impact"].append(
            Claim(
                f"Mitigated {utc(m['mitigated'])}, {_since_start(facts, 'time_to_mitigate')}.",
                _cite(facts.milestone_entry("mitigated")),
            )
        )
    for entry in (e for e in facts.timeline if e.kind == "severity"):
        sections["impact"].append(Claim(f"{entry.text} at {utc(entry.at)}.", [entry.id]))

    if m["started"]:
        sections["trigger"].append(
            Claim(
                f"The incident started {utc(m['started'])}.",
                _cite(facts.milestone_entry("started")),
            )
        )
    if m["detected"]:
        sections["detection"].append(
            Claim(
                f"Detected {utc(m['detected'])}, {_since_start(facts, 'time_to_detect')}.",
                _cite(facts.milestone_entry("detected")),
            )
        )
    if m["acknowledged"]:
        sections["detection"].append(
            Claim(
                f"Acknowledged {utc(m['acknowledged'])}, "
                f"{_since_start(facts, 'time_to_acknowledge', 'detected')}.",
                _cite(facts.milestone_entry("acknowledged")),
            )
        )
    sections["resolution"], fixed = _resolution(facts)
    if fixed:
        fill_in.pop("resolution")  # the decisions before mitigation say what fixed it
    return Narrative(sections=sections, fill_in=fill_in)


def _resolution(facts: Facts) -> tuple[list[Claim], bool]:
    """What was done, in time order: status changes and the decisions taken before the
    incident was mitigated (or resolved), then mitigation and resolution. True when a
    recorded decision preceded the end: that decision is the fix on record."""
    m = facts.milestones
    end = m["mitigated"] or m["resolved"]
    fixes = [d for d in facts.decisions if end is not None and d.at <= end]
    steps = sorted(
        [*(e for e in facts.timeline if e.kind == "status"), *fixes], key=lambda e: (e.at, e.id)
    )
    claims = []
    for e in steps:
        if e.kind == "decision":
            who = f" by <@{e.decided_by}>" if e.decided_by else ""
            why = f", because {e.rationale}" if e.rationale else ""
            text = f"Decided {utc(e.at)}{who}: {e.text.rstrip('.')}{why}."
        else:
            text = f"{e.text} at {utc(e.at)}."
        claims.append(Claim(text, [e.id]))
    if m["mitigated"]:
        claims.append(
            Claim(f"Mitigated {utc(m['mitigated'])}.", _cite(facts.milestone_entry("mitigated")))
        )
    if m["resolved"]:
        claims.append(
            Claim(f"Resolved {utc(m['resolved'])}.", _cite(facts.milestone_entry("resolved")))
        )
    summary = [e for e in facts.timeline if e.kind == "note" and e.text.startswith(RESOLVED_BY)]
    if summary:  # what the person who resolved it said fixed it, asked at resolve
        fix = summary[-1].text.removeprefix(RESOLVED_BY).rstrip(".")
        claims.insert(0, Claim(f"What fixed it, as recorded at resolve: {fix}.", [summary[-1].id]))
    later = [d for d in facts.decisions if d not in fixes]
    if later:
        n = len(later)
        claims.append(
            Claim(
                f"{n} later decision{'s' if n != 1 else ''} (see Key decisions).",
                [e.id for e in later],
            )
        )
    return claims, bool(fixes or summary)
