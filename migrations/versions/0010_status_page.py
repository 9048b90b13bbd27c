"""status page: the public side of incidents and their public updates

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27 12:00:00.000000

`status_incidents` holds what the public status page shows of an incident (a random public
id, a public title typed for the public, the affected components with their impact), created
by the first public update; `status_updates` the public updates themselves. Nothing here is
derived from the incident's internal title, channel, people or timeline.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "status_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("components", sa.JSON(), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("resolved_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_status_incidents_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_incidents")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_status_incidents_incident_id")),
        sa.UniqueConstraint("public_id", name=op.f("uq_status_incidents_public_id")),
    )
    op.create_index(
        op.f("ix_status_incidents_resolved_at"), "status_incidents", ["resolved_at"], unique=False
    )
    op.create_table(
        "status_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("status_incident_id", sa.Integer(), nullable=False),
        sa.Column("public_id", sa.String(length=32), nullable=False),
        sa.Column("at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["status_incident_id"],
            ["status_incidents.id"],
            name=op.f("fk_status_updates_status_incident_id_status_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_updates")),
        sa.UniqueConstraint("public_id", name=op.f("uq_status_updates_public_id")),
    )
    op.create_index(
        "ix_status_updates_incident_at",
        "status_updates",
        ["status_incident_id", "at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_status_updates_incident_at", table_name="status_updates")
    op.drop_table("status_updates")
    op.drop_index(op.f("ix_status_incidents_resolved_at"), table_name="status_incidents")
    op.drop_table("status_incidents")
