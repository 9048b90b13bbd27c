"""stored durations

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 09:00:00.000000

SPEC's four durations become columns of incidents (kept by bot.incidents from then on);
existing rows are backfilled here with the rule of bot.policy.durations, copied so that this
revision keeps meaning what it meant when it was written.
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

import bot.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# duration -> (start milestone, end milestone), as bot.policy.DURATIONS was at this revision
DURATIONS = {
    "time_to_detect": ("started", "detected"),
    "time_to_acknowledge": ("detected", "acknowledged"),
    "time_to_mitigate": ("started", "mitigated"),
    "time_to_resolve": ("started", "resolved"),
}
MILESTONES = ("started", "detected", "declared", "acknowledged", "mitigated", "resolved")
BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        for name in DURATIONS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
    _backfill(op.get_bind())
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incidents_severity_durations",
            ["severity", "declared_at", "private", *DURATIONS],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_severity_durations")
        for name in reversed(DURATIONS):
            batch_op.drop_column(name)


def durations(times: dict[str, datetime | None]) -> dict[str, int | None]:
    """Whole seconds truncated toward zero; unset started/detected count as declared."""
    start_of = {
        "started": times["started"] or times["declared"],
        "detected": times["detected"] or times["declared"],
    }
    out: dict[str, int | None] = {}
    for name, (start, end) in DURATIONS.items():
        end_at = times[end]
        out[name] = None if end_at is None else int((end_at - start_of[start]).total_seconds())
    return out


def _backfill(conn: sa.Connection) -> None:
    """Compute every incident's durations from its stored milestones, a page at a time."""
    incidents = sa.table(
        "incidents",
        sa.column("id", sa.Integer()),
        *(sa.column(f"{m}_at", bot.db.UTCDateTime(timezone=True)) for m in MILESTONES),
        *(sa.column(name, sa.Integer()) for name in DURATIONS),
    )
    c = incidents.c
    update = (
        sa.update(incidents)
        .where(c.id == sa.bindparam("row_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in DURATIONS})
    )
    last = None
    while True:
        page = sa.select(c.id, *(c[f"{m}_at"] for m in MILESTONES)).order_by(c.id).limit(BATCH)
        if last is not None:
            page = page.where(c.id > last)
        rows = conn.execute(page).all()
        if not rows:
            return
        last = rows[-1][0]
        params = []
        for row_id, *moments in rows:
            values = durations(dict(zip(MILESTONES, moments, strict=True)))
            if any(v is not None for v in values.values()):
                params.append({"row_id": row_id, **{f"new_{k}": v for k, v in values.items()}})
        if params:
            conn.execute(update, params)
