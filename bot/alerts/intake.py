"""Taking notifications in (use cases: Session + now, never commit).

The sender waits only for `accept`: one INSERT whose unique key makes a resend, or the same
notification sent to two replicas at once, change nothing. `process` applies what was
accepted, in batches, in the order received; the Slack work follows from the result.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from bot.alerts import pagerduty, payloads
from bot.alerts.payloads import Notification
from bot.alerts.record import Recorded, apply_batch
from bot.alerts.rules import Route
from bot.alerts.statements import NOTES, statements
from bot.db import Database

log = logging.getLogger(__name__)
BATCH = 20  # per transaction: amortises the commit, keeps SQLite's write lock short


def parse(source: str, body: Any, raw: bytes, now: datetime) -> Notification | None:
    """The notification in a body (PayloadError when malformed; None: nothing for us)."""
    if source == "alertmanager":
        return payloads.alertmanager(body, raw)
    if source == "grafana":
        return payloads.grafana(body, raw)
    if source == "generic":
        return payloads.generic(body, raw, now)
    pagerduty.event_type(body)  # the envelope's shape, or a PayloadError
    return pagerduty.notification(body)


class _Writers:
    """SQLite's one writer, queued in this process; counts who waits, so that applying
    notifications can step aside for the senders (their answer waits on this lock)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.count_lock = threading.Lock()
        self.waiting = 0


_SQLITE_WRITERS: dict[str, _Writers] = {}


def _writers(db: Database) -> _Writers | None:
    if not db.url.startswith("sqlite"):
        return None
    return _SQLITE_WRITERS.setdefault(db.url, _Writers())


@contextmanager
def writing(db: Database) -> Iterator[None]:
    """SQLite has one writer at a time: intake and processing queue here, in this process,
    instead of sleeping in SQLite's busy handler (which made answers wait tens of ms)."""
    writers = _writers(db)
    if writers is None:
        yield
        return
    with writers.count_lock:
        writers.waiting += 1
    writers.lock.acquire()
    with writers.count_lock:
        writers.waiting -= 1
    try:
        yield
    finally:
        writers.lock.release()


@contextmanager
def transaction(db: Database) -> Iterator[Session]:
    """A unit of work that queues for SQLite's writer lock with intake (on SQLite every
    transaction begins IMMEDIATE, so even a read would make a sender's answer wait)."""
    with writing(db), db.unit_of_work() as session:
        yield session


def checkpoint(db: Database) -> None:
    """SQLite: copy the WAL into the database now, from this thread, without taking the write
    lock (PASSIVE), so that a sender's commit rarely has to run the automatic checkpoint and
    its fsync while the sender waits."""
    if not db.url.startswith("sqlite"):
        return
    raw = db.engine.raw_connection()
    try:
        cursor = raw.cursor()  # the connection is in autocommit: no BEGIN, no write lock
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        cursor.close()
    finally:
        raw.close()


def others_waiting(db: Database) -> bool:
    """Someone waits to write (on SQLite): a batch should end and let them."""
    writers = _writers(db)
    return writers is not None and writers.waiting > 0


def accept(conn: Connection, note: Notification, raw: bytes, now: datetime) -> bool:
    """Store the notification as received; False when it was stored before (a resend).
    A Core connection, not a Session: this is all the sender waits for."""
    stored = conn.execute(
        statements(conn).note,
        {
            "dedupe_key": note.dedupe_key[:100],
            "source": note.source,
            "received_at": now,
            "status": note.pager.event_type[9:] if note.pager else note.status,
            "alert_count": len(note.alerts),
            "body": raw.decode("utf-8"),
        },
    )
    return stored.scalar_one_or_none() is not None


class Unapplied(Exception):
    """Applying failed; the batch must be rolled back. `note_id` names the notification when
    the batch held only one (else: apply them one by one to find it)."""

    def __init__(self, note_id: int | None, reason: str) -> None:
        super().__init__(reason)
        self.note_id, self.reason = note_id, reason


def set_aside(session: Session, note_id: int, reason: str, now: datetime) -> None:
    """Mark a notification that can't be applied, with why, so the queue moves on."""
    conn = session.connection()
    conn.execute(
        statements(conn).note_done,
        {"b_id": note_id, "b_group": None, "b_changed": 0, "b_at": now, "b_error": reason},
    )


def process(
    session: Session,
    route_for: Callable[[Notification], Route],
    now: datetime,
    limit: int = BATCH,
) -> tuple[int, list[Recorded]]:
    """Apply up to `limit` accepted notifications, oldest first; returns (how many were taken,
    what the applied ones did). Groups are locked in one order (their key) so that two
    replicas processing at once never deadlock."""
    pending = (
        select(NOTES.c.id, NOTES.c.source, NOTES.c.body, NOTES.c.received_at)
        .where(NOTES.c.processed_at.is_(None))
        .order_by(NOTES.c.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        pending = pending.with_for_update(skip_locked=True)
    rows = session.execute(pending).all()
    work: list[tuple[Any, Notification | None, str | None]] = []
    for row in rows:
        try:
            raw = (row.body or "").encode("utf-8")
            work.append((row, parse(row.source, json.loads(raw), raw, row.received_at), None))
        except (ValueError, payloads.PayloadError) as exc:  # accepted by an older version?
            work.append((row, None, f"unreadable: {exc}"[:200]))
    readable = [(row.id, note, row.received_at) for row, note, _error in work if note is not None]
    try:
        done = apply_batch(session, readable, route_for) if readable else {}
    except Exception as exc:
        # The transaction is spoilt: the caller rolls the batch back and applies its
        # notifications one by one, setting aside the one that fails.
        single = readable[0][0] if len(readable) == 1 else None
        raise Unapplied(single, f"{type(exc).__name__}: {exc}"[:200]) from exc
    marks = [
        {
            "b_id": row.id,
            "b_group": done[row.id].group_id if row.id in done else None,
            "b_changed": done[row.id].changed if row.id in done else 0,
            "b_at": now,
            "b_error": error,
        }
        for row, _note, error in work
    ]
    if marks:
        session.connection().execute(statements(session.connection()).note_done, marks)
    return len(marks), list(done.values())
