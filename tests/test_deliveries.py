"""bot.slack.deliveries: one success per event_id, a failure handled again, a dead claim
taken over, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.db import Database
from bot.slack import deliveries
from bot.slack.deliveries import CLAIM_SECONDS, Delivery

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_first_delivery_handles_a_concurrent_one_waits_a_later_one_skips(db: Database) -> None:
    assert deliveries.claim(db, "Ev1", NOW) is Delivery.HANDLE
    assert deliveries.claim(db, "Ev1", NOW + timedelta(seconds=1)) is Delivery.BUSY
    deliveries.finish(db, "Ev1", NOW + timedelta(seconds=2))
    assert deliveries.claim(db, "Ev1", NOW + timedelta(seconds=3)) is Delivery.HANDLED
    assert deliveries.claim(db, "Ev1", NOW + timedelta(days=1)) is Delivery.HANDLED
    assert deliveries.claim(db, "Ev2", NOW) is Delivery.HANDLE, "ids are independent"


def test_a_failed_delivery_leaves_the_event_to_the_retry(db: Database) -> None:
    assert deliveries.claim(db, "Ev1", NOW) is Delivery.HANDLE
    deliveries.release(db, "Ev1")
    assert deliveries.claim(db, "Ev1", NOW + timedelta(seconds=1)) is Delivery.HANDLE
    deliveries.finish(db, "Ev1", NOW + timedelta(seconds=2))
    deliveries.release(db, "Ev1")  # a late failure beside it never undoes a success
    assert deliveries.claim(db, "Ev1", NOW + timedelta(seconds=3)) is Delivery.HANDLED


def test_the_claim_of_a_process_that_died_is_taken_over_once(db: Database) -> None:
    assert deliveries.claim(db, "Ev1", NOW) is Delivery.HANDLE  # ... and its process dies
    before = NOW + timedelta(seconds=CLAIM_SECONDS - 1)
    assert deliveries.claim(db, "Ev1", before) is Delivery.BUSY
    after = NOW + timedelta(seconds=CLAIM_SECONDS + 1)
    assert deliveries.claim(db, "Ev1", after) is Delivery.HANDLE
    assert deliveries.claim(db, "Ev1", after) is Delivery.BUSY, "taken over by one delivery"


def test_finish_records_the_event_even_when_its_claim_was_released(db: Database) -> None:
    assert deliveries.claim(db, "Ev1", NOW) is Delivery.HANDLE
    deliveries.release(db, "Ev1")  # a delivery beside this one failed
    deliveries.finish(db, "Ev1", NOW + timedelta(seconds=1))
    assert deliveries.claim(db, "Ev1", NOW + timedelta(seconds=2)) is Delivery.HANDLED
