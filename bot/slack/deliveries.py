"""Slack's deliveries of one event: handled once, and never lost to a failure.

Slack delivers an event again (same event_id, `retry_attempt`/`X-Slack-Retry-Num` > 0) when
the app did not ack it within 3 s or answered with an error. So an event is acked only after
its work is done, and its id is recorded in three steps around that work:

- `claim` before the work: a first delivery claims the id; a later one finds it handled
  (ack, change nothing) or being handled (answer an error: Slack tries again later);
- `finish` after the work succeeded: the id is handled for good;
- `release` after the work failed: the claim goes, so Slack's retry is handled.

A claim older than CLAIM_SECONDS belongs to a process that died mid-work; the next delivery
takes it over. The listeners are idempotent (capture is unique per message ts, membership is
a set), so a delivery that finished its work but died before `finish` does no harm when the
retry does the work again.
"""

from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.models import ProcessedEvent

CLAIM_SECONDS = 30  # Slack retries at once, after 1 minute and after 5 minutes


class Delivery(enum.Enum):
    """What a delivery of an event should do."""

    HANDLE = "handle"  # first delivery, an earlier one failed, or its claim is stale
    HANDLED = "handled"  # done before: ack and change nothing
    BUSY = "busy"  # another delivery is handling it now: don't ack, Slack retries later


def claim(db: Database, event_id: str, now: datetime) -> Delivery:
    """Claim `event_id` for this delivery, or say why not."""
    for _attempt in range(2):  # the claim may be released between the insert and the read
        try:
            with db.unit_of_work() as session:
                session.add(ProcessedEvent(event_id=event_id, received_at=now))
            return Delivery.HANDLE
        except IntegrityError:
            pass
        with db.unit_of_work() as session:
            taken_over = session.execute(
                update(ProcessedEvent)
                .where(
                    ProcessedEvent.event_id == event_id,
                    ProcessedEvent.handled_at.is_(None),
                    ProcessedEvent.received_at < now - timedelta(seconds=CLAIM_SECONDS),
                )
                .values(received_at=now)
            ).rowcount
            if taken_over:
                return Delivery.HANDLE
            row = session.get(ProcessedEvent, event_id)
            if row is not None:
                return Delivery.HANDLED if row.handled_at is not None else Delivery.BUSY
    return Delivery.BUSY


def finish(db: Database, event_id: str, now: datetime) -> None:
    """The event's work is done: later deliveries change nothing."""
    try:
        with db.unit_of_work() as session:
            marked = session.execute(
                update(ProcessedEvent)
                .where(ProcessedEvent.event_id == event_id)
                .values(handled_at=now)
            ).rowcount
            if not marked:  # a failed delivery running beside this one released the claim
                session.add(ProcessedEvent(event_id=event_id, received_at=now, handled_at=now))
    except IntegrityError:
        pass  # ... and a third delivery claimed it since: it will finish it


def release(db: Database, event_id: str) -> None:
    """The event's work failed: give up the claim so that Slack's retry is handled."""
    with db.unit_of_work() as session:
        session.execute(
            delete(ProcessedEvent).where(
                ProcessedEvent.event_id == event_id, ProcessedEvent.handled_at.is_(None)
            )
        )
