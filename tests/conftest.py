"""Shared fixtures: every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.db import Database
from tests.support.dbs import (
    create_pg_database,
    drop_pg_database,
    migrated,
    skip_or_fail_without_pg,
    truncate_all,
)
from tests.support.fake_openai import FakeOpenAI
from tests.support.fakeslack import FakeSlack
from tests.support.harness import SlackHarness
from tests.support.scheduling import people


@pytest.fixture(scope="session")
def _sqlite_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    path: Path = tmp_path_factory.mktemp("db") / "incident-bot.db"
    db = migrated(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def _pg_db() -> Iterator[Database]:
    skip_or_fail_without_pg()
    url, name = create_pg_database()
    db = migrated(url)
    yield db
    db.dispose()
    drop_pg_database(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Iterator[Database]:
    """A migrated, empty database: each test using it runs once per backend."""
    database: Database = request.getfixturevalue(
        "_sqlite_db" if request.param == "sqlite" else "_pg_db"
    )
    truncate_all(database)
    yield database


@pytest.fixture
def fake_slack() -> Iterator[Any]:
    fake = FakeSlack()
    fake.start()
    yield fake
    fake.stop()


@pytest.fixture
def make_slack(db: Database, fake_slack: Any) -> Iterator[Callable[..., Any]]:
    """Start the app with settings overrides: `slack = make_slack(INCIDENT_TIMEZONE="…")`."""
    started: list[SlackHarness] = []

    def start(**overrides: Any) -> SlackHarness:
        harness = SlackHarness(db, fake_slack, **overrides)
        started.append(harness)
        return harness

    yield start
    for harness in started:
        harness.close()


@pytest.fixture
def slack(make_slack: Callable[..., Any]) -> Any:
    """The running app on default settings, on SQLite and on PostgreSQL."""
    return make_slack()


@pytest.fixture
def fake() -> Iterator[Any]:
    """The fake Slack with the people the follow-up and scheduling tests name."""
    with FakeSlack() as running:
        people(running)
        yield running


@pytest.fixture
def openai_server() -> Iterator[Any]:
    """A local OpenAI-compatible server over HTTP (tests.support.fake_openai)."""
    with FakeOpenAI.running() as server:
        yield server
