"""Real databases for the suite: a temp SQLite file and a PostgreSQL database per run."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest
from sqlalchemy import text

from bot.db import Database
from bot.migrate import upgrade
from bot.models import Base

PG_ADMIN_URL = os.environ.get("INCIDENT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
PG_REQUIRED = os.environ.get("INCIDENT_REQUIRE_PG") == "1"


def postgres_available() -> str | None:
    """None when PostgreSQL answers, else the reason it doesn't."""
    try:
        with psycopg.connect(PG_ADMIN_URL, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return None
    except Exception as exc:  # any failure means: no usable server here
        return f"PostgreSQL at {PG_ADMIN_URL} is not reachable ({type(exc).__name__}: {exc})"


def create_pg_database() -> tuple[str, str]:
    """A fresh database for this test run; returns (SQLAlchemy URL, name)."""
    name = f"incident_bot_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"postgresql+psycopg://{base.split('://', 1)[1]}/{name}", name


def drop_pg_database(name: str) -> None:
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def skip_or_fail_without_pg() -> None:
    reason = postgres_available()
    if reason is None:
        return
    if PG_REQUIRED:
        pytest.fail(f"{reason}; INCIDENT_REQUIRE_PG=1 forbids skipping the PostgreSQL half")
    pytest.skip(reason)


def truncate_all(db: Database) -> None:
    """Empty every table between tests (much faster than re-migrating)."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(text(f"DELETE FROM {table}"))


def migrated(url: str) -> Database:
    db = Database(url)
    upgrade(db)
    return db
