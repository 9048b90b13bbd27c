"""Markdown postmortems from templates: deterministic facts plus a narrative.

`render_markdown_many` is what `incident-bot export --format md` prints (no model is called).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from jinja2 import pass_context
from jinja2.runtime import Context
from sqlalchemy.orm import Session

from bot.clock import human_duration
from bot.config import Settings
from bot.drafting import templates
from bot.drafting.facts import DURATION_LABELS, Facts, gather
from bot.drafting.markdown import Footnotes, Readable, people_in
from bot.drafting.narrative import SECTIONS, Narrative, factual_narrative, utc
from bot.drafting.redact import Redactor
from bot.incidents.rules import MilestoneTimes, explained_durations
from bot.models import Incident
from bot.slack.people import known


def _oneline(text: str | None) -> str:
    return re.sub(r"\s*\n\s*", " / ", (text or "").strip())


def _cell(text: str | None) -> str:
    return _oneline(text).replace("|", "\\|")


@pass_context
def _mention(ctx: Context, user: str | None) -> str:
    """A person by name (a Markdown file renders no Slack mention); their id when unknown."""
    readable = ctx.get("readable")
    return readable.person(user) if isinstance(readable, Readable) else (user or "—")


def _cites(ids: Iterable[int]) -> str:
    return ", ".join(f"#{i}" for i in ids)


def _stamp(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S") if moment else "—"


FILTERS = {
    "oneline": _oneline,
    "cell": _cell,
    "mention": _mention,
    "cites": _cites,
    "utc": utc,
    "stamp": _stamp,
    "duration": human_duration,
}


def context(
    facts: Facts,
    narrative: Narrative,
    *,
    template: str,
    generated_at: datetime,
    fallback_reason: str | None = None,
    names: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """Everything a template may use (documented in postmortem_templates/README.md); free
    text with Slack's markup made Markdown, people named by `names`."""
    readable = Readable(names)
    md = readable.text
    times = {name: facts.milestones.get(name) for name in MilestoneTimes.__dataclass_fields__}
    honest = explained_durations(MilestoneTimes(**times))  # type: ignore[arg-type]
    timeline = [
        replace(e, text=md(e.text), rationale=md(e.rationale), alternatives=md(e.alternatives))
        for e in facts.timeline
    ]
    sections = {
        key: {
            "key": key,
            "title": title,
            "claims": [replace(c, text=md(c.text)) for c in narrative.claims(key)],
            "fill_in": narrative.fill_in.get(key),
        }
        for key, title in SECTIONS.items()
    }
    if narrative.ai_model:
        kind = (
            f"AI-assisted draft (model `{narrative.ai_model}`); "
            "every claim checked against the timeline"
        )
    else:
        kind = "deterministic draft from the timeline (no model)"
    return {
        "incident": replace(facts, title=md(facts.title)),
        "sections": sections,
        "narrative": sections,
        "timeline": timeline,
        "decisions": [e for e in timeline if e.kind == "decision"],
        "action_items": [replace(a, text=md(a.text)) for a in facts.action_items],
        "roles": facts.roles,
        "milestones": list(facts.milestones.items()),
        "durations": [(DURATION_LABELS[key], value) for key, value in facts.durations.items()],
        "duration_lines": [(DURATION_LABELS[d.key], d.phrase()) for d in honest],
        "duration_text": {d.key: d.phrase() for d in honest},
        "readable": readable,
        "footnotes": Footnotes(timeline, readable),
        "draft": {
            "template": template,
            "kind": kind,
            "ai_model": narrative.ai_model,
            "fallback_reason": fallback_reason,
            "notes": narrative.notes,
            "generated_at": utc(generated_at),
            "redactions": facts.redactor.summary(),
            "redacted": facts.redactor.total > 0,
        },
    }


def render_markdown(
    facts: Facts,
    narrative: Narrative,
    *,
    template: str,
    generated_at: datetime,
    fallback_reason: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """Render one postmortem with the named template; `names` names the people in it."""
    env = templates.environment()
    env.filters.update(FILTERS)
    ctx = context(
        facts,
        narrative,
        template=template,
        generated_at=generated_at,
        fallback_reason=fallback_reason,
        names=names,
    )
    text = env.get_template(f"{template}{templates.SUFFIX}").render(**ctx)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def render_incident(
    session: Session,
    incident: Incident,
    settings: Settings,
    *,
    template: str | None = None,
    now: datetime | None = None,
) -> str:
    """The deterministic postmortem of one incident; people named as Slack last told us."""
    name = templates.resolve(template, settings.INCIDENT_POSTMORTEM_TEMPLATE)
    facts = gather(session, incident, Redactor(settings.redact))
    stored = known(session, people_in(facts))
    return render_markdown(
        facts,
        factual_narrative(facts),
        template=name,
        generated_at=now or datetime.now(UTC),
        names={user: p.name for user, p in stored.items() if p.name},
    )


def render_markdown_many(session: Session, rows: list[Incident], settings: Settings) -> str:
    """Deterministic postmortems of several incidents, separated by horizontal rules."""
    now = datetime.now(UTC)
    return "\n---\n\n".join(render_incident(session, i, settings, now=now) for i in rows)
