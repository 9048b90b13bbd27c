"""Migration 0003 fills in SPEC's durations for incidents recorded before it, by SPEC's rule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from alembic import command

from bot.db import Database, UTCDateTime
from bot.migrate import alembic_config
from tests.support.dbs import create_pg_database, drop_pg_database, skip_or_fail_without_pg

T = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
MILESTONES = ("started", "detected", "declared", "acknowledged", "mitigated", "resolved")
DURATIONS = ("time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve")

# number -> (milestones as they were stored, durations worked out by hand from SPEC's table:
# detect started→detected, acknowledge detected→acknowledged, mitigate started→mitigated,
# resolve started→resolved; an unset started or detected counts as declared).
CASES: dict[int, tuple[dict[str, datetime], tuple[int | None, ...]]] = {
    1: (  # everything set, started well before it was declared
        {
            "started": T,
            "detected": T + 10 * MIN,
            "declared": T + 15 * MIN,
            "acknowledged": T + 20 * MIN,
            "mitigated": T + 45 * MIN,
            "resolved": T + 90 * MIN + timedelta(microseconds=750_000),
        },
        (600, 600, 2700, 5400),  # whole seconds, cut toward zero
    ),
    2: (  # only declared and resolved: both durations count from declared
        {"declared": T, "resolved": T + timedelta(hours=1, minutes=2, seconds=3)},
        (None, None, None, 3723),
    ),
    3: (  # started set, detected unset: acknowledge counts from declared, resolve from started
        {
            "started": T - 30 * MIN,
            "declared": T,
            "acknowledged": T + 15 * MIN,
            "resolved": T + 60 * MIN,
        },
        (None, 900, None, 5400),
    ),
    4: ({"declared": T}, (None, None, None, None)),  # still open: nothing to measure
}


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/before-0003.db"
        return
    skip_or_fail_without_pg()
    pg_url, name = create_pg_database()
    yield pg_url
    drop_pg_database(name)


def _upgrade(db: Database, url: str, revision: str) -> None:
    cfg = alembic_config(url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def test_0003_backfills_durations_by_specs_rule(url: str) -> None:
    db = Database(url)
    _upgrade(db, url, "0002")
    incidents = sa.table(
        "incidents",
        *(sa.column(c) for c in ("number", "title", "severity", "status", "private")),
        *(sa.column(c) for c in ("channel_id", "channel_name", "declared_by", "members")),
        *(sa.column(f"{m}_at", UTCDateTime(timezone=True)) for m in MILESTONES),
        sa.column("last_activity_at", UTCDateTime(timezone=True)),
    )
    rows = [
        {
            **{f"{m}_at": marks.get(m) for m in MILESTONES},
            "number": number,
            "title": f"Old {number}",
            "severity": "sev2",
            "status": "resolved" if "resolved" in marks else "investigating",
            "private": False,
            "channel_id": f"C{number}",
            "channel_name": f"inc-{number}-old",
            "declared_by": "U1",
            "members": '["U1"]',
            "last_activity_at": marks["declared"],
        }
        for number, (marks, _durations) in CASES.items()
    ]
    with db.engine.begin() as conn:
        conn.execute(sa.insert(incidents).values(rows))
    _upgrade(db, url, "0003")
    with db.engine.connect() as conn:
        stored = conn.execute(
            sa.text(f"SELECT number, {', '.join(DURATIONS)} FROM incidents ORDER BY number")
        ).all()
    db.dispose()
    assert {number: tuple(values) for number, *values in stored} == {
        number: durations for number, (_marks, durations) in CASES.items()
    }
