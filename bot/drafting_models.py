"""The tables of postmortem drafting: the current draft of each incident, and the audit of
what was sent to a model.

Imported by bot.models, so every table is known wherever the models are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class Postmortem(Base):
    """The current postmortem draft of an incident; re-running replaces it."""

    __tablename__ = "postmortems"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    template: Mapped[str] = mapped_column(String(80))
    markdown: Mapped[str] = mapped_column(Text)
    ai_used: Mapped[bool] = mapped_column(Boolean, default=False)
    fallback_reason: Mapped[str | None] = mapped_column(String(300))
    file_id: Mapped[str | None] = mapped_column(String(32))
    canvas_id: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    bookmark_id: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PromptAudit(Base):
    """What was sent to a model, after redaction, when and to which model."""

    __tablename__ = "prompt_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    model: Mapped[str] = mapped_column(String(120))
    endpoint: Mapped[str | None] = mapped_column(String(300))
    purpose: Mapped[str] = mapped_column(String(40))
    prompt: Mapped[str] = mapped_column(Text)
    redactions: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    outcome: Mapped[str] = mapped_column(String(40))
    prompt_chars: Mapped[int] = mapped_column(Integer, default=0)
