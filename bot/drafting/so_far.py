"""Two sentences of "what happened so far" for a late joiner's catch-up, written by the model
under the postmortem's rules: the timeline is redacted before it is sent, every sentence
cites the entries it rests on, and a sentence citing nothing real is left out, never shown."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from openai import OpenAI
from pydantic import BaseModel, ConfigDict, ValidationError

from bot.config import Settings
from bot.db import Database
from bot.drafting import audit, templates
from bot.drafting.ai import (
    CLAIM_SCHEMA,
    ClaimOut,
    DraftFailure,
    caller,
    check_output,
    make_client,
    wrap,
)
from bot.drafting.audit import AuditRecord
from bot.drafting.draft import prompt_header, prompt_items
from bot.drafting.facts import gather
from bot.drafting.redact import Redactor
from bot.models import Incident

SENTENCES = 2
ENTRIES_SENT = 200  # the latest entries: enough for two sentences, far below any budget
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["sentences"],
    "properties": {"sentences": {"type": "array", "items": CLAIM_SCHEMA}},
}


class SoFarOut(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    sentences: list[ClaimOut]


@dataclass(frozen=True)
class Sentence:
    """One sentence and when the timeline entries it cites happened."""

    text: str
    cited: list[datetime]


def so_far(
    db: Database, settings: Settings, incident_id: int, client: OpenAI | None = None
) -> list[Sentence]:
    """The model's sentences that cite real entries (none on any failure: DraftFailure)."""
    with db.unit_of_work() as session:
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise DraftFailure("gone: the incident no longer exists")
        facts = gather(session, incident, Redactor(settings.redact))
    system, instructions = templates.prompt("system"), templates.prompt("so_far")
    audits: list[AuditRecord] = []
    call = caller(client or make_client(settings), settings, audits, dict(facts.redactor.counts))
    payload = {"incident": prompt_header(facts), "timeline": prompt_items(facts)[-ENTRIES_SENT:]}

    def check(data: dict[str, Any]) -> SoFarOut:
        try:
            out = SoFarOut.model_validate(data)
        except ValidationError:
            raise DraftFailure("invalid output: the answer did not match the schema") from None
        check_output([s.text for s in out.sentences], system)
        return out

    try:
        out = call("catch-up", system, wrap(instructions, payload), "so_far", SCHEMA, check)
    finally:
        with db.unit_of_work() as session:
            audit.save(session, incident_id, audits)
    at = {e.id: e.at for e in facts.timeline}
    kept = []
    for sentence in out.sentences[:SENTENCES]:
        cited = sorted({at[c] for c in sentence.citations if c in at})
        text = " ".join(sentence.text.split())
        if text and cited:
            kept.append(Sentence(text, cited))
    return kept
