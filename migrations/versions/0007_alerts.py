"""alerts: groups, alerts, notifications, incident alert summaries

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27 08:25:11.820133

Unique keys make resent notifications change nothing: (source, key_hash) for a group,
(group_id, fingerprint) for an alert, dedupe_key for a notification, incident_id for a summary.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "alert_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("group_key", sa.Text(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("firing_count", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("rule", sa.String(length=100), nullable=True),
        sa.Column("channel", sa.String(length=100), nullable=True),
        sa.Column("message_channel", sa.String(length=32), nullable=True),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("severity", sa.String(length=8), nullable=False),
        sa.Column("incident_title", sa.String(length=200), nullable=False),
        sa.Column("incident_type", sa.String(length=40), nullable=True),
        sa.Column("commander", sa.String(length=32), nullable=True),
        sa.Column("private", sa.Boolean(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("pager_service", sa.String(length=200), nullable=True),
        sa.Column("pager_urgency", sa.String(length=20), nullable=True),
        sa.Column("started_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("first_seen_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("pager_ack_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pager_ack_by", sa.String(length=200), nullable=True),
        sa.Column("pressed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("pressed_by", sa.String(length=32), nullable=True),
        sa.Column("ignored_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("ignored_by", sa.String(length=32), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("linking_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("linking_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("synced_version", sa.Integer(), nullable=False),
        sa.Column("needs_sync", sa.Boolean(), nullable=False),
        sa.Column("sync_due_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sync_claimed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sync_claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sync_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_alert_groups_incident_id_incidents"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_groups")),
        sa.UniqueConstraint("source", "key_hash", name=op.f("uq_alert_groups_source_key_hash")),
    )
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_groups_incident_id"), ["incident_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_alert_groups_needs_sync"), ["needs_sync"], unique=False
        )

    op.create_table(
        "alert_summaries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.Column("all_resolved", sa.Boolean(), nullable=False),
        sa.Column("notice_due", sa.Boolean(), nullable=False),
        sa.Column("notices_sent", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("synced_version", sa.Integer(), nullable=False),
        sa.Column("needs_sync", sa.Boolean(), nullable=False),
        sa.Column("sync_due_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("sync_claimed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sync_claimed_by", sa.String(length=64), nullable=True),
        sa.Column("sync_error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_alert_summaries_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_summaries")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_alert_summaries_incident_id")),
    )
    with op.batch_alter_table("alert_summaries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_summaries_needs_sync"), ["needs_sync"], unique=False
        )

    op.create_table(
        "alert_notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("dedupe_key", sa.String(length=100), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.Column("received_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("alert_count", sa.Integer(), nullable=False),
        sa.Column("changed", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("processed_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["alert_groups.id"],
            name=op.f("fk_alert_notifications_group_id_alert_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_notifications")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_alert_notifications_dedupe_key")),
    )
    with op.batch_alter_table("alert_notifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_alert_notifications_group_id"), ["group_id"], unique=False
        )
        batch_op.create_index(
            "ix_alert_notifications_pending", ["processed_at", "id"], unique=False
        )

    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("url", sa.String(length=1000), nullable=True),
        sa.Column("starts_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ends_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("event_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["alert_groups.id"],
            name=op.f("fk_alerts_group_id_alert_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("group_id", "fingerprint", name=op.f("uq_alerts_group_id_fingerprint")),
    )


def downgrade() -> None:
    op.drop_table("alerts")
    with op.batch_alter_table("alert_notifications", schema=None) as batch_op:
        batch_op.drop_index("ix_alert_notifications_pending")
        batch_op.drop_index(batch_op.f("ix_alert_notifications_group_id"))

    op.drop_table("alert_notifications")
    with op.batch_alter_table("alert_summaries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_summaries_needs_sync"))

    op.drop_table("alert_summaries")
    with op.batch_alter_table("alert_groups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alert_groups_needs_sync"))
        batch_op.drop_index(batch_op.f("ix_alert_groups_incident_id"))

    op.drop_table("alert_groups")
