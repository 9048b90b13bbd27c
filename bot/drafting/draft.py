"""The drafting pipeline: facts from the database, a narrative (model or not), Markdown.

No database session is held while the model is called; audit rows are stored afterwards.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from openai import OpenAI

from bot.config import Settings
from bot.db import Database
from bot.drafting import audit, templates
from bot.drafting.ai import (
    NARRATIVE_KEYS,
    NARRATIVE_SCHEMA,
    DraftFailure,
    NarrativeOut,
    caller,
    check_output,
    make_client,
    parse_narrative,
    plain,
    wrap,
)
from bot.drafting.audit import AuditRecord
from bot.drafting.condense import fit
from bot.drafting.facts import Facts, gather
from bot.drafting.markdown import people_in
from bot.drafting.narrative import FILL_IN, Claim, Narrative, factual_narrative
from bot.drafting.redact import Redactor
from bot.drafting.render import render_markdown
from bot.models import Incident
from bot.slack.people import People, known, remember

log = logging.getLogger(__name__)


@dataclass
class Draft:
    """A rendered postmortem and how it was made."""

    incident_id: int
    number: int
    title: str
    channel_id: str
    template: str
    markdown: str
    summary: str
    ai_model: str | None
    fallback_reason: str | None
    redactions: str
    audits: list[AuditRecord]
    redacted: int = 0  # how many things were scrubbed (the summary says so only when any)


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None


def prompt_header(facts: Facts) -> dict[str, Any]:
    return {
        "number": facts.number,
        "title": plain(facts.title),
        "severity": facts.severity,
        "status": facts.status,
        "milestones": {k: _iso(v) for k, v in facts.milestones.items()},
        "durations_seconds": facts.durations,
        "roles": {role: user for role, user in facts.roles},
    }


def prompt_items(facts: Facts) -> list[dict[str, Any]]:
    """The timeline as data for the model (already redacted; Slack markup made plain)."""
    items = []
    for e in facts.timeline:
        item: dict[str, Any] = {"id": e.id, "at": _iso(e.at), "kind": e.kind, "by": e.author}
        item["text"] = "(message deleted in Slack)" if e.deleted else plain(e.text)
        if e.kind == "decision":
            item.update(why=plain(e.rationale), alternatives=plain(e.alternatives))
        items.append(item)
    return items


def checked_narrative(out: NarrativeOut, known: set[int], model: str) -> Narrative:
    """Keep claims with real citations; mark claims citing nothing real as unsupported."""
    narrative = Narrative(ai_model=model)
    unsupported = 0
    for key in NARRATIVE_KEYS:
        claims = []
        for claim in getattr(out, key):
            text = " ".join(claim.text.split())  # one paragraph: no injected headings
            if not text:
                continue
            real = sorted(dict.fromkeys(c for c in claim.citations if c in known))
            fake = sorted({c for c in claim.citations if c not in known})
            note = None
            if fake:
                note = "cited " + ", ".join(f"#{c}" for c in fake) + ", not on the timeline"
            if not real:
                unsupported += 1
            claims.append(Claim(text, real, supported=bool(real), note=note))
        narrative.sections[key] = claims
        if not any(c.supported for c in claims):
            narrative.fill_in[key] = FILL_IN[key]
    if unsupported:
        plural = unsupported != 1
        narrative.notes.append(
            f"{unsupported} model claim{'s' if plural else ''} cited no timeline entry and "
            f"{'are' if plural else 'is'} marked unsupported."
        )
    return narrative


def ai_narrative(
    facts: Facts, settings: Settings, client: OpenAI, audits: list[AuditRecord]
) -> Narrative:
    """Ask the model for the narrative sections and check everything it says."""
    system, instructions = templates.prompt("system"), templates.prompt("draft")
    call = caller(client, settings, audits, dict(facts.redactor.counts))
    header = prompt_header(facts)
    actions = [
        {"id": a.id, "text": plain(a.text), "owner": a.owner, "due": a.due, "status": a.status}
        for a in facts.action_items
    ]
    empty = {"incident": header, "action_items": actions, "timeline": []}
    items, notes = fit(
        prompt_items(facts),
        header,
        budget_tokens=settings.INCIDENT_AI_CONTEXT_BUDGET,
        overhead_chars=len(system) + len(wrap(instructions, empty)) + 64,
        call=call,
    )
    payload = {"incident": header, "action_items": actions, "timeline": items}

    def check(data: dict[str, Any]) -> NarrativeOut:
        out = parse_narrative(data)
        check_output([c.text for key in NARRATIVE_KEYS for c in getattr(out, key)], system)
        return out

    user = wrap(instructions, payload)
    out = call("draft", system, user, "postmortem_narrative", NARRATIVE_SCHEMA, check)
    narrative = checked_narrative(out, facts.entry_ids, settings.INCIDENT_AI_MODEL)
    narrative.notes[:0] = notes
    return narrative


def write_draft(
    db: Database,
    settings: Settings,
    incident_id: int,
    *,
    template: str,
    now: datetime,
    client: OpenAI | None = None,
    people: People | None = None,
) -> Draft:
    """Draft one incident's postmortem; the model is optional and never fatal. People are
    named as Slack says (`people`), else as it last said (table people), else by id."""
    with db.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise LookupError(f"incident id {incident_id} is gone")
        facts = gather(session, incident, Redactor(settings.redact))
        stored = known(session, people_in(facts))
    asked = [p for p in (people.get(u) for u in people_in(facts)) if p] if people else []
    names = {u: p.name for u, p in stored.items() if p.name}
    names.update({p.id: p.name for p in asked if p.name})
    narrative, reason = factual_narrative(facts), None
    audits: list[AuditRecord] = []
    if settings.OPENAI_API_KEY:
        try:
            narrative = ai_narrative(facts, settings, client or make_client(settings), audits)
        except DraftFailure as exc:
            reason = f"AI draft unavailable ({exc.reason}); this is the deterministic draft."
        except Exception:
            log.exception("AI drafting failed for incident %s", facts.number)
            reason = (
                "AI draft unavailable (unexpected error, logged); this is the deterministic draft."
            )
    markdown = render_markdown(
        facts, narrative, template=template, generated_at=now, fallback_reason=reason, names=names
    )
    with db.unit_of_work() as session:
        audit.save(session, incident_id, audits)
        remember(session, asked, now)  # so `export --format md` names them too
    first = next((c.text for c in narrative.claims("summary") if c.supported), facts.title)
    return Draft(
        incident_id=incident_id,
        number=facts.number,
        title=facts.title,
        channel_id=facts.channel_id,
        template=template,
        markdown=markdown,
        summary=first if len(first) <= 600 else first[:597] + "…",
        ai_model=narrative.ai_model,
        fallback_reason=reason,
        redactions=facts.redactor.summary(),
        audits=audits,
        redacted=facts.redactor.total,
    )
