"""The tables of guided response: workflow runs (one per workflow and trigger occurrence)
and the checklist tasks workflows add to incidents.

Imported by bot.models, so every table is known wherever the models are.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class WorkflowRun(Base):
    """One workflow run for one trigger occurrence. The unique key is what makes a workflow
    run once per occurrence however many processes, retries and restarts see it; `steps`
    records each step's outcome (`done`, `failed: why`) so a retry redoes only what is left."""

    __tablename__ = "workflow_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    workflow: Mapped[str] = mapped_column(String(100))
    occurrence: Mapped[str] = mapped_column(String(100))  # e.g. `declared`, `entry:42`
    trigger: Mapped[str] = mapped_column(String(30))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    steps: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (UniqueConstraint("incident_id", "workflow", "occurrence"),)


class Task(Base):
    """A checklist task a workflow added to an incident; ticked by anyone in its channel."""

    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    checklist: Mapped[str] = mapped_column(String(120))  # `workflow#step`: who added it
    title: Mapped[str] = mapped_column(String(200))  # the checklist's title
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The checklist message (one per checklist), redrawn as tasks are ticked.
    message_ts: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (UniqueConstraint("incident_id", "checklist", "position"),)
