"""The tables of alerts: groups, alerts, notifications received, incidents' alert summaries.

Imported by bot.models, so every table is known wherever the models are.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime

TITLE_MAX = 200  # as bot.models.TITLE_MAX: the incident title a group proposes
SENDERS = ("alertmanager", "grafana", "pagerduty", "generic")
TRIAGE_SOURCE = "alert-triage"  # the timeline source of milestones set by a button press
# A milestone entry with one of these sources got its time from alerts, not from a person.
MILESTONE_SOURCES = (*SENDERS, TRIAGE_SOURCE)


class AlertGroup(Base):
    """One alert group of one sender (Alertmanager groupKey, PagerDuty incident, dedup_key):
    at most one triage message and at most one incident. `version` counts changes;
    `synced_version` is what Slack shows, so Slack work is done from the record, later."""

    __tablename__ = "alert_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    key_hash: Mapped[str] = mapped_column(String(64))  # sha256 of the sender's group key
    group_key: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10), default="firing")
    firing_count: Mapped[int] = mapped_column(Integer, default=0)  # kept with each change
    action: Mapped[str] = mapped_column(String(10))  # triage | declare | ignore
    rule: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(100))  # where triage goes
    message_channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(8), default="sev3")
    incident_title: Mapped[str] = mapped_column(String(TITLE_MAX))
    incident_type: Mapped[str | None] = mapped_column(String(40))
    commander: Mapped[str | None] = mapped_column(String(32))
    private: Mapped[bool] = mapped_column(Boolean, default=False)
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    links: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    pager_service: Mapped[str | None] = mapped_column(String(200))
    pager_urgency: Mapped[str | None] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())  # earliest alert start
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())  # first notification
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pager_ack_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pager_ack_by: Mapped[str | None] = mapped_column(String(200))
    pressed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # Declare/Attach
    pressed_by: Mapped[str | None] = mapped_column(String(32))
    ignored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ignored_by: Mapped[str | None] = mapped_column(String(32))
    incident_id: Mapped[int | None] = mapped_column(
        ForeignKey("incidents.id", ondelete="SET NULL"), index=True
    )
    linking_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # a declare under way
    linking_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    needs_sync: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    sync_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sync_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sync_claimed_by: Mapped[str | None] = mapped_column(String(64))
    sync_error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (UniqueConstraint("source", "key_hash"),)


class Alert(Base):
    """One alert of a group (by fingerprint) in its latest known state."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("alert_groups.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(10))
    labels: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    annotations: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    url: Mapped[str | None] = mapped_column(String(1000))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    event_at: Mapped[datetime] = mapped_column(UTCDateTime())  # when the stored state began
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("group_id", "fingerprint"),)


class AlertNotification(Base):
    """Every notification received, once: its unique key makes a resend change nothing. The
    sender is answered once this row is stored; its body is applied to the group and alerts
    right after (then dropped: the alerts keep what it said)."""

    __tablename__ = "alert_notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(100), unique=True)
    source: Mapped[str] = mapped_column(String(20))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("alert_groups.id", ondelete="CASCADE"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    alert_count: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)  # alerts whose state changed
    body: Mapped[str | None] = mapped_column(Text)  # as received, until it is applied
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    error: Mapped[str | None] = mapped_column(String(200))

    __table_args__ = (Index("ix_alert_notifications_pending", "processed_at", "id"),)


class AlertSummary(Base):
    """The one threaded message in an incident's channel that shows its alerts, edited in
    place, and the "all alerts resolved" notice (told once per time they all resolve)."""

    __tablename__ = "alert_summaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[int] = mapped_column(
        ForeignKey("incidents.id", ondelete="CASCADE"), unique=True
    )
    message_ts: Mapped[str | None] = mapped_column(String(32))
    all_resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    notice_due: Mapped[bool] = mapped_column(Boolean, default=False)
    notices_sent: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    needs_sync: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    sync_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sync_claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sync_claimed_by: Mapped[str | None] = mapped_column(String(64))
    sync_error: Mapped[str | None] = mapped_column(String(200))
