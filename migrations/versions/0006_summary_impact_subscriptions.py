"""summary, impact, subscriptions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:20:00.000000

incidents gain `summary` and `impact` (text people type with `/incident summary|impact`);
`subscriptions` holds who asked for direct messages about an incident, once per person.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("summary", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("impact", sa.Text(), nullable=True))
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_subscriptions_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
        sa.UniqueConstraint(
            "incident_id", "user_id", name=op.f("uq_subscriptions_incident_id_user_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("subscriptions")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("impact")
        batch_op.drop_column("summary")
