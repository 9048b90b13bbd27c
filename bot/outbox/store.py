"""The outbox: durable, deduplicated messages, claimed atomically by any number of senders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.db import Database
from bot.models import Outbox

INSERT_CHUNK = 1000
ERROR_MAX = 200


def row(
    kind: str, key: str, channel: str | None, payload: dict[str, Any], due_at: datetime
) -> dict[str, Any]:
    return {
        "kind": kind,
        "dedupe_key": key,
        "channel": channel,
        "payload": payload,
        "due_at": due_at,
        "attempts": 0,
        "failed": False,
    }


def existing_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), INSERT_CHUNK):
        chunk = keys[start : start + INSERT_CHUNK]
        found.update(session.scalars(select(Outbox.dedupe_key).where(Outbox.dedupe_key.in_(chunk))))
    return found


def enqueue(session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows whose dedupe key is new; concurrent planners never collide. Returns count."""
    known = existing_keys(session, [r["dedupe_key"] for r in rows])
    rows = [r for r in rows if r["dedupe_key"] not in known]
    if not rows:
        return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    inserted = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        table = Outbox.__table__
        stmt = (
            insert(table)
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(table.c.id)
        )
        inserted += len(session.execute(stmt, list(rows[start : start + INSERT_CHUNK])).all())
    return inserted


def _claimable(now: datetime, claim_timeout: int) -> Any:
    stale = now - timedelta(seconds=claim_timeout)
    return and_(
        Outbox.sent_at.is_(None),
        Outbox.failed.is_(False),
        Outbox.due_at <= now,
        or_(Outbox.claimed_at.is_(None), Outbox.claimed_at < stale),
    )


def claim(
    db: Database, *, now: datetime, worker: str, claim_timeout: int, limit: int = 200
) -> list[Outbox]:
    """Claim due rows in one conditional UPDATE (SKIP LOCKED on PostgreSQL); returns them.

    A row whose claim is older than `claim_timeout` is claimable again: its sender died.
    """
    with db.unit_of_work() as session:
        pending = _claimable(now, claim_timeout)
        picked = select(Outbox.id).where(pending).order_by(Outbox.due_at, Outbox.id).limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            picked = picked.with_for_update(skip_locked=True)
        claimed = session.scalars(
            update(Outbox)
            .where(Outbox.id.in_(picked.scalar_subquery()), pending)
            .values(claimed_at=now, claimed_by=worker)
            .returning(Outbox)
            .execution_options(synchronize_session=False)
        ).all()
        return sorted(claimed, key=lambda r: (r.due_at, r.id))


def unclaim(db: Database, row_ids: Sequence[int], *, worker: str) -> None:
    """Hand back rows this worker claimed but did not get to (due at once for anyone)."""
    with db.unit_of_work() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.id.in_(row_ids), Outbox.claimed_by == worker, Outbox.sent_at.is_(None))
            .values(claimed_at=None, claimed_by=None)
        )


def mark_sent(db: Database, row_id: int, *, now: datetime, note: str | None = None) -> None:
    """Slack accepted it (or it became moot, with a note saying why)."""
    with db.unit_of_work() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.id == row_id, Outbox.sent_at.is_(None))
            .values(sent_at=now, last_error=note[:ERROR_MAX] if note else None)
        )


def save_progress(db: Database, row_id: int, payload: dict[str, Any]) -> None:
    """Remember how far a multi-part message got, so a retry continues rather than repeats."""
    with db.unit_of_work() as session:
        session.execute(update(Outbox).where(Outbox.id == row_id).values(payload=payload))


def release(
    db: Database, row_id: int, *, error: str, retry_at: datetime | None, attempts: int
) -> None:
    """Give the claim back to be retried at `retry_at`, or give up (failed) when it is None."""
    values: dict[str, Any] = {
        "claimed_at": None,
        "claimed_by": None,
        "attempts": attempts,
        "last_error": error[:ERROR_MAX],
    }
    if retry_at is None:
        values["failed"] = True
    else:
        values["due_at"] = retry_at
    with db.unit_of_work() as session:
        session.execute(update(Outbox).where(Outbox.id == row_id).values(**values))


def claim_key(
    db: Database, key: str, *, now: datetime, worker: str, claim_timeout: int
) -> Outbox | None:
    """Claim one row by its dedupe key if it is due and unclaimed (to send it right away)."""
    with db.unit_of_work() as session:
        return session.scalars(
            update(Outbox)
            .where(Outbox.dedupe_key == key, _claimable(now, claim_timeout))
            .values(claimed_at=now, claimed_by=worker)
            .returning(Outbox)
            .execution_options(synchronize_session=False)
        ).one_or_none()
