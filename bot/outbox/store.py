"""The outbox: durable, deduplicated messages, claimed atomically by any number of senders."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select, update
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


def _ids(row_ids: int | Sequence[int]) -> list[int]:
    return [row_ids] if isinstance(row_ids, int) else list(row_ids)


def mark_sent(
    db: Database, row_ids: int | Sequence[int], *, now: datetime, note: str | None = None
) -> None:
    """Slack accepted it (or it became moot, with a note saying why)."""
    with db.unit_of_work() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.id.in_(_ids(row_ids)), Outbox.sent_at.is_(None))
            .values(sent_at=now, last_error=note[:ERROR_MAX] if note else None)
        )


def attempt(db: Database, row_ids: Sequence[int], *, now: datetime) -> None:
    """Record, before the Slack call, that it is being made: should its answer be lost (or
    this process die), whoever claims the rows next checks Slack before sending again.

    An earlier attempt whose outcome is still unknown keeps its time: the check must look
    back to the first attempt that may have landed, not only to the last.
    """
    with db.unit_of_work() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.id.in_(list(row_ids)))
            .values(attempted_at=func.coalesce(Outbox.attempted_at, now), claimed_at=now)
        )


def save_progress(db: Database, row_id: int, payload: dict[str, Any]) -> None:
    """Remember how far a multi-part message got, so a retry continues rather than repeats."""
    with db.unit_of_work() as session:
        session.execute(update(Outbox).where(Outbox.id == row_id).values(payload=payload))


def release(
    db: Database,
    row_ids: int | Sequence[int],
    *,
    error: str,
    retry_at: datetime | None,
    attempts: int | None,
    unknown: bool = False,
) -> None:
    """Give the claim back to be retried at `retry_at`, or give up (failed) when it is None.

    `unknown`: the last call may have done its work (its answer was lost), so the next
    attempt checks Slack first; otherwise Slack said no, and the attempt mark is cleared.
    """
    values: dict[str, Any] = {"claimed_at": None, "claimed_by": None}
    values["last_error"] = error[:ERROR_MAX]
    if attempts is not None:
        values["attempts"] = attempts
    if not unknown:
        values["attempted_at"] = None
    if retry_at is None:
        values["failed"] = True
    else:
        values["due_at"] = retry_at
    with db.unit_of_work() as session:
        session.execute(update(Outbox).where(Outbox.id.in_(_ids(row_ids))).values(**values))


def defer(db: Database, row_ids: Sequence[int], *, until: datetime, untried: bool = False) -> None:
    """Hand claimed rows back, due at `until`, without counting an attempt (pacing, or not
    possible yet). `untried`: the attempt just marked made no call, so it needs no check."""
    values: dict[str, Any] = {"claimed_at": None, "claimed_by": None, "due_at": until}
    if untried:
        values["attempted_at"] = None
    with db.unit_of_work() as session:
        session.execute(
            update(Outbox)
            .where(Outbox.id.in_(list(row_ids)), Outbox.sent_at.is_(None))
            .values(**values)
        )


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


# --- lanes: the rows of one destination, sent by one sender at a time ------------------------
def due_lanes(db: Database, *, now: datetime, claim_timeout: int, limit: int = 100) -> list:
    """Lanes (destinations) with claimable rows, the longest-waiting first."""
    with db.unit_of_work() as session:
        oldest = func.min(Outbox.due_at)
        return list(
            session.scalars(
                select(Outbox.channel)
                .where(_claimable(now, claim_timeout))
                .group_by(Outbox.channel)
                .order_by(oldest)
                .limit(limit)
            )
        )


def lane_lock_key(lane: str) -> int:
    """A stable 64-bit key for PostgreSQL's advisory lock on a lane."""
    digest = hashlib.blake2b(lane.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def claim_lane(
    db: Database,
    lane: str | None,
    *,
    now: datetime,
    worker: str,
    claim_timeout: int,
    limit: int = 50,
) -> list[Outbox]:
    """Claim a lane's due rows, oldest first, unless another sender holds rows of it.

    One sender per lane keeps a channel's posts in order and its updates (card, topic) one at
    a time across replicas. Rows without a lane (None) are claimed like any other batch.
    """
    pending = _claimable(now, claim_timeout)
    with db.unit_of_work() as session:
        if lane is None:
            here = Outbox.channel.is_(None)
        else:
            here = Outbox.channel == lane
            if session.get_bind().dialect.name == "postgresql":
                # Serialise claims of this lane (SQLite serialises writers at BEGIN IMMEDIATE).
                session.execute(select(func.pg_advisory_xact_lock(lane_lock_key(lane))))
            held = session.scalar(
                select(Outbox.id)
                .where(
                    here,
                    Outbox.sent_at.is_(None),
                    Outbox.failed.is_(False),
                    Outbox.claimed_at >= now - timedelta(seconds=claim_timeout),
                    Outbox.claimed_by != worker,
                )
                .limit(1)
            )
            if held is not None:
                return []
        picked = select(Outbox.id).where(here, pending).order_by(Outbox.id).limit(limit)
        claimed = session.scalars(
            update(Outbox)
            .where(Outbox.id.in_(picked.scalar_subquery()), pending)
            .values(claimed_at=now, claimed_by=worker)
            .returning(Outbox)
            .execution_options(synchronize_session=False)
        ).all()
        return sorted(claimed, key=lambda r: r.id)


def release_dead_claims(db: Database, dead: Callable[[str], bool]) -> int:
    """Hand back rows claimed by senders known to be dead (a restart on the same host)."""
    with db.unit_of_work() as session:
        holders = set(
            session.scalars(
                select(Outbox.claimed_by).where(
                    Outbox.sent_at.is_(None), Outbox.claimed_by.is_not(None)
                )
            )
        )
        gone = [h for h in holders if h and dead(h)]
        if not gone:
            return 0
        result = session.execute(
            update(Outbox)
            .where(Outbox.claimed_by.in_(gone), Outbox.sent_at.is_(None))
            .values(claimed_at=None, claimed_by=None)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
