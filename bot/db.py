"""The one engine and session factory; UTC-aware timestamps on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always returns timezone-aware UTC (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database; use UTC-aware datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str) -> Engine:
    """Engine for DATABASE_URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: object, _record: object) -> None:
            # Let SQLAlchemy, not pysqlite, decide when a transaction begins, so that
            # BEGIN IMMEDIATE below takes the write lock before we read.
            dbapi_conn.isolation_level = None  # type: ignore[attr-defined]
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            if ":memory:" not in url:
                cur.execute("PRAGMA journal_mode=WAL")
                # In WAL mode NORMAL is safe from corruption and survives a crash of the
                # process; only a power cut may lose the last commits. It spares an fsync per
                # commit (SQLite's documented recommendation for WAL).
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: object) -> None:
            # Writers serialise at BEGIN, so read-then-write transactions never deadlock.
            # Read-only work (Database.reading) begins deferred: in WAL mode readers then
            # neither wait for writers nor for each other.
            reading = conn.get_execution_options().get(READ_ONLY)  # type: ignore[attr-defined]
            conn.exec_driver_sql("BEGIN" if reading else "BEGIN IMMEDIATE")  # type: ignore[attr-defined]

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


READ_ONLY = "incident_bot_read_only"


class Database:
    """Owns the engine and the one session factory; `unit_of_work` wraps one request."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._readers = sessionmaker(
            self.engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False
        )

    @contextmanager
    def unit_of_work(self) -> Iterator[Session]:
        """One transaction: commit on success, roll back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction that only reads (public pages read by many at once): on SQLite it
        takes no write lock; it is rolled back at the end, whatever was changed."""
        with self._readers() as session:
            try:
                yield session
            finally:
                session.rollback()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:
            return False

    def dispose(self) -> None:
        self.engine.dispose()
