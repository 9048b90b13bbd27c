"""Claiming due outbox rows: a sender never takes, nor waits for, rows another one holds."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.models import Outbox
from bot.outbox.store import claim, enqueue, row
from tests.support.scheduling import utc

NOW = utc(2026, 11, 26, 9, 0)
TIMEOUT = 600  # seconds a claim holds before another sender may take the row over
WAIT = 10  # seconds the test gives a claim that should not block at all


def _due_rows(db: Database, count: int) -> list[int]:
    """`count` rows due a minute apart, all due by NOW; their ids, oldest first."""
    rows = [
        row("reminder", f"k{n}", "U1", {"n": n}, NOW - timedelta(minutes=count - n))
        for n in range(count)
    ]
    with db.unit_of_work() as session:
        enqueue(session, rows)
    with db.unit_of_work() as session:
        return list(session.scalars(select(Outbox.id).order_by(Outbox.due_at, Outbox.id)))


def test_a_sender_skips_the_rows_another_sender_is_claiming(db: Database) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite runs one writer at a time")
    ids = _due_rows(db, 4)
    claimed: list[Outbox] = []
    finished = threading.Event()

    def second_sender() -> None:
        claimed.extend(claim(db, now=NOW, worker="b", claim_timeout=TIMEOUT, limit=2))
        finished.set()

    with db.engine.connect() as first_sender:
        # The first sender is mid-claim: it holds the two oldest rows, not yet committed.
        holding = first_sender.begin()
        first_sender.execute(select(Outbox.id).where(Outbox.id.in_(ids[:2])).with_for_update())
        thread = threading.Thread(target=second_sender)
        thread.start()
        finished.wait(WAIT)  # SKIP LOCKED answers at once; a blocked claim waits for us
        holding.rollback()
    thread.join()
    assert [r.id for r in claimed] == ids[2:], "took or waited for rows another sender held"
    assert {r.claimed_by for r in claimed} == {"b"}


def test_a_claim_holds_until_its_timeout_then_another_sender_takes_over(db: Database) -> None:
    ids = _due_rows(db, 2)
    first = claim(db, now=NOW, worker="a", claim_timeout=TIMEOUT)
    assert [r.id for r in first] == ids
    fresh = NOW + timedelta(seconds=TIMEOUT - 1)
    assert claim(db, now=fresh, worker="b", claim_timeout=TIMEOUT) == []
    stale = NOW + timedelta(seconds=TIMEOUT + 1)
    taken = claim(db, now=stale, worker="b", claim_timeout=TIMEOUT)
    assert [(r.id, r.claimed_by, r.claimed_at) for r in taken] == [(i, "b", stale) for i in ids]
