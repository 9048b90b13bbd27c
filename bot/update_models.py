"""The table of stakeholder updates (issue 13): what was said, by whom, when the next is due.

Imported by bot.models, so every table is known wherever the models are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime

UPDATE_MAX = 3000  # one update: a Slack section's worth of text


class IncidentUpdate(Base):
    """One stakeholder update. `public` ones appear on the status page; `next_update_at` is
    when the person who posted it promised the next (overriding INCIDENT_UPDATE_EVERY_*)."""

    __tablename__ = "incident_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("incidents.id", ondelete="CASCADE")
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    next_update_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    entry_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("timeline_entries.id", ondelete="SET NULL")
    )

    __table_args__ = (Index("ix_incident_updates_incident_at", "incident_id", "at"),)
