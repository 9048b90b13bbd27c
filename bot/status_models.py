"""The public side of incidents: what the status page shows, and nothing else.

A `StatusIncident` exists only once someone published a first public update; it carries its
own public title, a random public id and the affected components, so the page never needs to
read an incident's internal title, channel, people or timeline. Imported by bot.models.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.db import Base, UTCDateTime

PUBLIC_TITLE_MAX = 200
PUBLIC_TEXT_MAX = 3000  # what fits one Slack section: the update is also echoed in the channel


class StatusIncident(Base):
    """An incident as the public sees it."""

    __tablename__ = "status_incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    title: Mapped[str] = mapped_column(String(PUBLIC_TITLE_MAX))
    # [{"name": component name, "impact": degraded_performance|partial_outage|major_outage}]
    components: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)

    updates: Mapped[list[StatusUpdate]] = relationship(
        back_populates="incident", order_by="StatusUpdate.at.desc(), StatusUpdate.id.desc()"
    )


class StatusUpdate(Base):
    """One public update, as published (the text people typed, after redaction by no one:
    they confirmed it is public)."""

    __tablename__ = "status_updates"

    id: Mapped[int] = mapped_column(primary_key=True)
    status_incident_id: Mapped[int] = mapped_column(
        ForeignKey("status_incidents.id", ondelete="CASCADE")
    )
    public_id: Mapped[str] = mapped_column(String(32), unique=True)  # uuid4 hex: Atom entry id
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))  # investigating … resolved
    body: Mapped[str] = mapped_column(Text)

    incident: Mapped[StatusIncident] = relationship(back_populates="updates")

    __table_args__ = (Index("ix_status_updates_incident_at", "status_incident_id", "at"),)
