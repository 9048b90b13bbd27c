"""Prompt audit rows: what was sent to a model (after redaction), when, to which model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import PromptAudit


@dataclass
class AuditRecord:
    """One request to a model, kept in memory until the draft is stored."""

    sent_at: datetime
    model: str
    endpoint: str | None
    purpose: str
    prompt: str
    redactions: dict[str, int]
    outcome: str = "pending"

    @property
    def prompt_chars(self) -> int:
        return len(self.prompt)


def save(session: Session, incident_id: int | None, records: list[AuditRecord]) -> None:
    """Store the audit rows of one drafting run."""
    for record in records:
        session.add(
            PromptAudit(
                incident_id=incident_id,
                sent_at=record.sent_at,
                model=record.model[:120],
                endpoint=(record.endpoint or "")[:300] or None,
                purpose=record.purpose[:40],
                prompt=record.prompt,
                redactions=dict(record.redactions),
                outcome=record.outcome[:40],
                prompt_chars=record.prompt_chars,
            )
        )


def audits_for(session: Session, incident_id: int) -> list[dict[str, Any]]:
    """An incident's prompt audits, oldest first, in the export JSON shape (`prompt_audits`)."""
    rows = session.scalars(
        select(PromptAudit)
        .where(PromptAudit.incident_id == incident_id)
        .order_by(PromptAudit.sent_at, PromptAudit.id)
    )
    return [
        {
            "id": row.id,
            "sent_at": row.sent_at.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "model": row.model,
            "endpoint": row.endpoint,
            "purpose": row.purpose,
            "outcome": row.outcome,
            "prompt_chars": row.prompt_chars,
            "redactions": dict(row.redactions or {}),
            "prompt": row.prompt,
        }
        for row in rows
    ]
