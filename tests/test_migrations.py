"""Alembic owns the schema: no drift from the models, and every revision upgrades to head."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from bot.db import Database
from bot.migrate import alembic_config, upgrade
from bot.models import Base
from tests.support.dbs import create_pg_database, drop_pg_database, skip_or_fail_without_pg

REVISIONS = [
    s.revision
    for s in reversed(
        list(ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions())
    )
]


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request: pytest.FixtureRequest, tmp_path: object) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    skip_or_fail_without_pg()
    url, name = create_pg_database()
    yield url
    drop_pg_database(name)


def test_models_and_migrations_do_not_drift(empty_url: str) -> None:
    db = Database(empty_url)
    upgrade(db)
    with db.engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata
        )
    db.dispose()
    assert diff == [], f"models and migrations differ; add a migration: {diff}"


@pytest.mark.parametrize("start", REVISIONS[:-1])
def test_filled_database_upgrades_from_each_revision(empty_url: str, start: str) -> None:
    """Fill a database at an earlier revision with real rows, then upgrade it to head."""
    db = Database(empty_url)
    cfg = alembic_config(empty_url)
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, start)
    now = datetime(2026, 11, 1, 12, tzinfo=UTC)
    resolved = now + timedelta(hours=1, minutes=2, seconds=3, microseconds=750_000)
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO incidents (number, title, severity, status, private, channel_id, "
                "channel_name, commander, declared_by, declared_at, resolved_at, "
                "last_activity_at, members) "
                "VALUES (1, 'Old', 'sev2', 'resolved', false, 'C1', 'inc-1-old', 'U1', "
                "'U1', :now, :resolved, :now, '[\"U1\"]')"
            ),
            {"now": now, "resolved": resolved},
        )
        conn.execute(
            text(
                "INSERT INTO timeline_entries (incident_id, at, kind, text, author, source, "
                "files, deleted, removed, created_at) SELECT id, :now, 'note', 'kept', 'U1', "
                "'command', '[]', false, false, :now FROM incidents"
            ),
            {"now": now},
        )
        conn.execute(
            text("INSERT INTO processed_events (event_id, received_at) VALUES ('Ev1', :now)"),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO action_items (incident_id, text, priority, type, status, "
                "created_by, created_at) SELECT id, 'Add a canary', 'high', 'prevent', 'open', "
                "'U1', :now FROM incidents"
            ),
            {"now": now},
        )
    upgrade(db)
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT title FROM incidents")).scalar_one() == "Old"
        assert conn.execute(text("SELECT text FROM timeline_entries")).scalar_one() == "kept"
        assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
        if start < "0003":  # 0003 backfilled SPEC's durations: only declared and resolved
            stored = conn.execute(
                text(
                    "SELECT time_to_detect, time_to_acknowledge, time_to_mitigate, "
                    "time_to_resolve FROM incidents"
                )
            ).one()
            assert tuple(stored) == (None, None, None, 3723)
        if start < "0004":  # 0004: an event recorded before then was recorded once handled
            handled = "SELECT handled_at IS NOT NULL FROM processed_events WHERE event_id = 'Ev1'"
            assert conn.execute(text(handled)).scalar_one()
        # 0006: an incident from before has no summary or impact yet
        blank = conn.execute(text("SELECT summary, impact FROM incidents")).one()
        assert tuple(blank) == (None, None)
        # 0008 keeps what items had; new items have type and priority only when chosen
        item = conn.execute(text("SELECT priority, type FROM action_items")).one()
        assert tuple(item) == ("high", "prevent")
    db.dispose()


def test_there_is_history_to_upgrade_from() -> None:
    assert len(REVISIONS) >= 2 and REVISIONS[0] == "0001"
