"""The narrative sections of a postmortem: claims that cite timeline entries.

Without a model the sections hold short factual sentences built from the timeline plus clearly
marked prompts for people to fill in; with a model they hold its checked claims.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clock import human_duration
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


def factual_narrative(facts: Facts) -> Narrative:
    """Short, true sentences from the timeline; every section also asks people to fill it in."""
    m, d = facts.milestones, facts.durations
    declared, resolved = facts.milestone_entry("declared"), facts.milestone_entry("resolved")
    summary = (
        f"{facts.severity.upper()} incident {facts.number} “{facts.title}” was declared "
        f"{utc(m['declared'])} by <@{facts.declared_by}>."
    )
    if m["resolved"]:
        summary += (
            f" It was resolved {utc(m['resolved'])}, {human_duration(d['time_to_resolve'])} "
            "after it started."
        )
    else:
        summary += f" It is not resolved yet (status: {facts.status})."
    sections: dict[str, list[Claim]] = {key: [] for key in SECTIONS}
    sections["summary"].append(Claim(summary, _cite(declared, resolved)))

    severity_changes = [e for e in facts.timeline if e.kind == "severity"]
    if m["mitigated"]:
        sections["impact"].append(
            Claim(
                f"Impact lasted {human_duration(d['time_to_mitigate'])} from start to mitigation "
                f"({utc(m['mitigated'])}).",
                _cite(facts.milestone_entry("mitigated")),
            )
        )
    for entry in severity_changes:
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
                f"Detected {utc(m['detected'])}, {human_duration(d['time_to_detect'])} after it "
                "started.",
                _cite(facts.milestone_entry("detected")),
            )
        )
    if m["acknowledged"]:
        sections["detection"].append(
            Claim(
                f"Acknowledged {utc(m['acknowledged'])}, "
                f"{human_duration(d['time_to_acknowledge'])} after detection.",
                _cite(facts.milestone_entry("acknowledged")),
            )
        )
    for entry in (e for e in facts.timeline if e.kind == "status"):
        sections["resolution"].append(Claim(f"{entry.text} at {utc(entry.at)}.", [entry.id]))
    if m["mitigated"]:
        sections["resolution"].append(
            Claim(f"Mitigated {utc(m['mitigated'])}.", _cite(facts.milestone_entry("mitigated")))
        )
    if m["resolved"]:
        sections["resolution"].append(Claim(f"Resolved {utc(m['resolved'])}.", _cite(resolved)))
    if facts.decisions:
        n = len(facts.decisions)
        sections["resolution"].append(
            Claim(
                f"{n} decision{'s were' if n != 1 else ' was'} recorded (see Key decisions).",
                [e.id for e in facts.decisions],
            )
        )
    return Narrative(sections=sections, fill_in=dict(FILL_IN))
