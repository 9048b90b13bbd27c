"""delivery lanes and declarations recorded before their channel

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 09:00:00.000000

An incident is recorded before Slack creates its channel (channel_id may be null until then).
Outbox rows are claimed per destination (lane: channel, index on channel and sent_at) and
remember when a Slack call whose answer may be lost was made (attempted_at), so that the next
attempt checks Slack before sending again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempted_at", bot.db.UTCDateTime(), nullable=True))
        batch_op.create_index("ix_outbox_lane", ["channel", "sent_at"], unique=False)
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("channel_id", existing_type=sa.String(length=32), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("channel_id", existing_type=sa.String(length=32), nullable=False)
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_lane")
        batch_op.drop_column("attempted_at")
