"""incident types, custom fields, workflow runs, checklist tasks

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-27 12:00:00.000000

incidents gain `type` (an `incident_types:` name from INCIDENT_CONFIG) and `fields` (the
`custom_fields:` values, a JSON object; existing incidents get `{}`). `workflow_runs` holds one
row per workflow and trigger occurrence (its unique key is what runs a workflow once across
retries and replicas) with each step's outcome; `tasks` the checklist tasks workflows add.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("type", sa.String(length=40), nullable=True))
        batch_op.add_column(
            sa.Column("fields", sa.JSON(), nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("fields", existing_type=sa.JSON(), server_default=None)
    op.create_table(
        "workflow_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("workflow", sa.String(length=100), nullable=False),
        sa.Column("occurrence", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.String(length=30), nullable=False),
        sa.Column("started_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("finished_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("steps", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_workflow_runs_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workflow_runs")),
        sa.UniqueConstraint(
            "incident_id",
            "workflow",
            "occurrence",
            name=op.f("uq_workflow_runs_incident_id_workflow_occurrence"),
        ),
    )
    op.create_index(
        op.f("ix_workflow_runs_incident_id"), "workflow_runs", ["incident_id"], unique=False
    )
    op.create_table(
        "tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("checklist", sa.String(length=120), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("done_at", bot.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=32), nullable=True),
        sa.Column("created_at", bot.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_tasks_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tasks")),
        sa.UniqueConstraint(
            "incident_id",
            "checklist",
            "position",
            name=op.f("uq_tasks_incident_id_checklist_position"),
        ),
    )
    op.create_index(op.f("ix_tasks_incident_id"), "tasks", ["incident_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_tasks_incident_id"), table_name="tasks")
    op.drop_table("tasks")
    op.drop_index(op.f("ix_workflow_runs_incident_id"), table_name="workflow_runs")
    op.drop_table("workflow_runs")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_column("fields")
        batch_op.drop_column("type")
