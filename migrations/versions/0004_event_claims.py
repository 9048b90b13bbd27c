"""event claims

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 09:00:00.000000

processed_events gains `handled_at`: a row without it is an event being handled (claimed at
`received_at`), so a delivery that failed can be handled again. Every existing row was
recorded as handled, so it is backfilled with its `received_at`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("handled_at", bot.db.UTCDateTime(timezone=True), nullable=True)
        )
    events = sa.table(
        "processed_events",
        sa.column("received_at", bot.db.UTCDateTime(timezone=True)),
        sa.column("handled_at", bot.db.UTCDateTime(timezone=True)),
    )
    op.execute(sa.update(events).values(handled_at=events.c.received_at))


def downgrade() -> None:
    op.execute(sa.text("DELETE FROM processed_events WHERE handled_at IS NULL"))
    with op.batch_alter_table("processed_events", schema=None) as batch_op:
        batch_op.drop_column("handled_at")
