"""people; action item type and priority only when chosen

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 12:00:00.000000

`people` keeps what Slack last said about a person (time zone, name) for code that must not
call Slack: reminders at 09:00 in the owner's zone, the digest's overdue by the owner's date,
names in exported postmortems. Action items' `type` and `priority` become nullable: a new item
has them only when someone chose them. Existing rows keep their values (whether a person chose
them or the old default did can't be told apart).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("tz", sa.String(length=64), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=True),
        sa.Column("checked_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_people")),
    )
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.alter_column("priority", existing_type=sa.String(length=10), nullable=True)
        batch_op.alter_column("type", existing_type=sa.String(length=10), nullable=True)


def downgrade() -> None:
    op.execute("UPDATE action_items SET priority = 'medium' WHERE priority IS NULL")
    op.execute("UPDATE action_items SET type = 'prevent' WHERE type IS NULL")
    with op.batch_alter_table("action_items", schema=None) as batch_op:
        batch_op.alter_column("type", existing_type=sa.String(length=10), nullable=False)
        batch_op.alter_column("priority", existing_type=sa.String(length=10), nullable=False)
    op.drop_table("people")
