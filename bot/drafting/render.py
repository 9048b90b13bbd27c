"""Markdown postmortems from templates: deterministic facts plus a narrative.

`render_markdown_many` is what `incident-bot export --format md` prints (no model is called).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.clock import human_duration
from bot.config import Settings
from bot.drafting import templates
from bot.drafting.facts import DURATION_LABELS, Facts, gather
from bot.drafting.narrative import SECTIONS, Narrative, factual_narrative, utc
from bot.drafting.redact import Redactor
from bot.models import Incident


def _oneline(text: str | None) -> str:
    return re.sub(r"\s*\n\s*", " / ", (text or "").strip())


def _cell(text: str | None) -> str:
    return _oneline(text).replace("|", "\\|")


def _mention(user: str | None) -> str:
    return f"<@{user}>" if user else "—"


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
) -> dict[str, Any]:
    """Everything a template may use (documented in postmortem_templates/README.md)."""
    sections = {
        key: {
            "key": key,
            "title": title,
            "claims": narrative.claims(key),
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
        "incident": facts,
        "sections": sections,
        "narrative": sections,
        "timeline": facts.timeline,
        "decisions": facts.decisions,
        "action_items": facts.action_items,
        "roles": facts.roles,
        "milestones": list(facts.milestones.items()),
        "durations": [(DURATION_LABELS[key], value) for key, value in facts.durations.items()],
        "draft": {
            "template": template,
            "kind": kind,
            "ai_model": narrative.ai_model,
            "fallback_reason": fallback_reason,
            "notes": narrative.notes,
            "generated_at": utc(generated_at),
            "redactions": facts.redactor.summary(),
        },
    }


def render_markdown(
    facts: Facts,
    narrative: Narrative,
    *,
    template: str,
    generated_at: datetime,
    fallback_reason: str | None = None,
) -> str:
    """Render one postmortem with the named template."""
    env = templates.environment()
    env.filters.update(FILTERS)
    ctx = context(
        facts,
        narrative,
        template=template,
        generated_at=generated_at,
        fallback_reason=fallback_reason,
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
    """The deterministic postmortem of one incident."""
    name = templates.resolve(template, settings.INCIDENT_POSTMORTEM_TEMPLATE)
    facts = gather(session, incident, Redactor(settings.redact))
    return render_markdown(
        facts,
        factual_narrative(facts),
        template=name,
        generated_at=now or datetime.now(UTC),
    )


def render_markdown_many(session: Session, rows: list[Incident], settings: Settings) -> str:
    """Deterministic postmortems of several incidents, separated by horizontal rules."""
    now = datetime.now(UTC)
    return "\n---\n\n".join(render_incident(session, i, settings, now=now) for i in rows)
