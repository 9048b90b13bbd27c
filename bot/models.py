"""Typed SQLAlchemy 2 models: the durable facts of incidents and their follow-ups."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The alert tables live next door (this file would outgrow 300 lines); importing them here
# registers them wherever the models are, and lets callers name every table from one place.
from bot.alert_models import Alert, AlertGroup, AlertNotification, AlertSummary  # noqa: F401
from bot.db import Base, UTCDateTime
from bot.drafting_models import Postmortem, PromptAudit  # noqa: F401
from bot.status_models import StatusIncident, StatusUpdate  # noqa: F401 - as the alert tables
from bot.update_models import IncidentUpdate  # noqa: F401
from bot.workflow_models import Task, WorkflowRun  # noqa: F401 - as the alert tables

SEVERITIES = ("sev1", "sev2", "sev3", "sev4")
STATUSES = ("investigating", "identified", "monitoring", "resolved")
MILESTONES = ("started", "detected", "acknowledged", "mitigated", "resolved")
ROLES = ("commander", "scribe", "comms")
TITLE_MAX = 200  # an incident title, in the modal, the command and the column
SUMMARY_MAX = 1000  # the summary and the customer impact: a paragraph each, shown on the card
DURATIONS = ("time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve")


class Counter(Base):
    """Named counters claimed atomically (incident numbers), gaps allowed like a sequence."""

    __tablename__ = "counters"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Incident(Base):
    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[int] = mapped_column(Integer, unique=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    summary: Mapped[str | None] = mapped_column(Text)
    impact: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str | None] = mapped_column(Text)  # what fixed it, asked at resolve
    type: Mapped[str | None] = mapped_column(String(40))  # an `incident_types:` name
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # `custom_fields:`
    severity: Mapped[str] = mapped_column(String(8), default="sev3")
    status: Mapped[str] = mapped_column(String(20), default="investigating")
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    # Null only between recording a declaration and Slack creating its channel.
    channel_id: Mapped[str | None] = mapped_column(String(32), unique=True)
    channel_name: Mapped[str] = mapped_column(String(80))
    commander: Mapped[str | None] = mapped_column(String(32))
    declared_by: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    declared_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    last_activity_at: Mapped[datetime] = mapped_column(UTCDateTime())
    card_ts: Mapped[str | None] = mapped_column(String(32))
    announce_channel: Mapped[str | None] = mapped_column(String(32))
    announce_ts: Mapped[str | None] = mapped_column(String(32))
    members: Mapped[list[str]] = mapped_column(JSON, default=list)
    # SPEC durations in whole seconds (bot.policy.durations), kept by bot.incidents whenever
    # a milestone changes so statistics read numbers instead of computing them from times.
    time_to_detect: Mapped[int | None] = mapped_column(Integer)
    time_to_acknowledge: Mapped[int | None] = mapped_column(Integer)
    time_to_mitigate: Mapped[int | None] = mapped_column(Integer)
    time_to_resolve: Mapped[int | None] = mapped_column(Integer)

    timeline: Mapped[list[TimelineEntry]] = relationship(
        back_populates="incident", order_by="TimelineEntry.at, TimelineEntry.id"
    )
    roles: Mapped[list[RoleAssignment]] = relationship(back_populates="incident")
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="incident", order_by="ActionItem.id"
    )

    __table_args__ = (
        Index("ix_incidents_status_open", "status"),
        # Covers statistics and /metrics (by severity, window, stored durations): the read is
        # an index scan already in GROUP BY order, without touching the wide table rows.
        Index("ix_incidents_severity_durations", "severity", "declared_at", "private", *DURATIONS),
    )

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def milestone(self, name: str) -> datetime | None:
        return getattr(self, f"{name}_at")


class RoleAssignment(Base):
    """Who holds which role now (the history is on the timeline)."""

    __tablename__ = "role_assignments"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[str] = mapped_column(String(32), index=True)
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    assigned_by: Mapped[str] = mapped_column(String(32))
    incident: Mapped[Incident] = relationship(back_populates="roles")
    __table_args__ = (UniqueConstraint("incident_id", "role"),)


class TimelineEntry(Base):
    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str | None] = mapped_column(String(32))
    rationale: Mapped[str | None] = mapped_column(Text)
    alternatives: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(20), default="command")
    message_channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    thread_ts: Mapped[str | None] = mapped_column(String(32))
    permalink: Mapped[str | None] = mapped_column(String(500))
    files: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    removed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    incident: Mapped[Incident] = relationship(back_populates="timeline")
    revisions: Mapped[list[TimelineRevision]] = relationship(
        back_populates="entry", order_by="TimelineRevision.id"
    )

    # A captured message is on an incident's timeline once, however it got there.
    __table_args__ = (
        UniqueConstraint("incident_id", "message_ts"),
        Index("ix_timeline_entries_incident_at", "incident_id", "at"),
    )


class TimelineRevision(Base):
    """An earlier version of an entry: edits in Slack, corrections, removals."""

    __tablename__ = "timeline_revisions"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("timeline_entries.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    changed_by: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(String(40))
    old_text: Mapped[str] = mapped_column(Text)
    old_at: Mapped[datetime] = mapped_column(UTCDateTime())
    entry: Mapped[TimelineEntry] = relationship(back_populates="revisions")


class Subscription(Base):
    """Someone who asked for a direct message when an incident's severity changes or it
    is resolved (bot.incidents.subscriptions)."""

    __tablename__ = "subscriptions"
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    __table_args__ = (UniqueConstraint("incident_id", "user_id"),)


class ProcessedEvent(Base):
    """A Slack event id being handled (claimed at `received_at`) or handled (`handled_at`),
    so a retried delivery changes nothing and a failed one is handled again (bot.slack)."""

    __tablename__ = "processed_events"
    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ActionItem(Base):
    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str | None] = mapped_column(String(32), index=True)
    due: Mapped[date | None] = mapped_column(Date)
    # Set only when someone chose them (the modal, or later edits): never a silent default.
    priority: Mapped[str | None] = mapped_column(String(10))
    type: Mapped[str | None] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    created_by: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(32))
    incident: Mapped[Incident | None] = relationship(back_populates="action_items")

    __table_args__ = (Index("ix_action_items_status_due", "status", "due"),)


class Person(Base):
    """What Slack last said about a person (users.info): time zone and name.

    Read where Slack is not asked: reminder planning and the digest (the owner's zone), and
    `incident-bot export --format md` (names). Written by the use cases that look people up.
    """

    __tablename__ = "people"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tz: Mapped[str | None] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(120))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Outbox(Base):
    """A message that must not be lost: recorded first, sent from the record, exactly once.

    Everything the bot posts or updates in Slack from a change (timeline echoes, cards, topics,
    announcements, declarations) and every reminder, nudge and digest is a row with a due time
    and a unique dedupe key. `channel` is the row's lane (its destination): rows of one lane
    are claimed together by one sender at a time and marked sent after Slack accepts.
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
    failed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set just before a Slack call whose answer may be lost; a row claimed again with it set
    # is checked against Slack (message metadata) before it is sent again.
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    __table_args__ = (
        Index("ix_outbox_pending", "sent_at", "due_at"),
        Index("ix_outbox_lane", "channel", "sent_at"),  # one destination's unsent rows
    )
