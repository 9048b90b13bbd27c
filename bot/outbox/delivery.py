"""Sending what is due: claim rows, hand each to its kind's sender, record the outcome.

Exactly once, within a bounded window: a row is marked sent only after Slack accepted it. A
sender killed between Slack accepting and the mark leaves a claim that goes stale after the
claim timeout, and the row is sent again — the only way a duplicate happens.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.db import Database
from bot.errors import SlackFailure
from bot.models import Outbox
from bot.outbox import store
from bot.telemetry import REMINDERS_SENT

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
MAX_BATCHES = 1000
# Slack answers that retrying will not change: give up at once.
PERMANENT = frozenset(
    {
        "user_not_found",
        "channel_not_found",
        "cannot_dm_bot",
        "messages_tab_disabled",
        "user_disabled",
        "account_inactive",
        "is_archived",
        "not_in_channel",
        "restricted_action",
        "missing_scope",
    }
)

Send = Callable[[Outbox, datetime], str]  # delivers one row; returns what was sent
GaveUp = Callable[[Outbox, str], None]  # told when a row fails for good, with Slack's code


class Moot(Exception):
    """The message no longer applies (item closed, owner changed, incident updated)."""


@dataclass(frozen=True)
class Courier:
    """Delivers claimed rows: a sender per kind, and who to tell when one fails for good."""

    db: Database
    senders: Mapping[str, Send]
    gave_up: Mapping[str, GaveUp] = field(default_factory=dict)

    def deliver(self, row: Outbox, now: datetime) -> str | None:
        """Send one claimed row and record the outcome: sent, moot, retry later, or failed."""
        send = self.senders.get(row.kind)
        try:
            if send is None:
                raise Moot(f"unknown outbox kind {row.kind!r}")
            what = send(row, now)
        except Moot as exc:
            store.mark_sent(self.db, row.id, now=now, note=f"skipped: {exc}")
            return None
        except SlackFailure as exc:
            permanent = exc.code in PERMANENT
            self._failed(row, now, exc.code, permanent=permanent, retry_after=exc.retry_after)
            return None
        except Exception as exc:  # a bug or an outage must not stop the other rows
            log.exception("sending outbox row %s (%s) failed", row.id, row.dedupe_key)
            self._failed(row, now, type(exc).__name__, permanent=False, retry_after=None)
            return None
        store.mark_sent(self.db, row.id, now=now)
        REMINDERS_SENT.labels(kind=row.kind).inc()
        log.info("sent %s", what)
        return what

    def sweep(self, now: datetime, worker: str, claim_timeout: int, limit: int = 200) -> list[str]:
        """Claim and send everything due at `now`; never raises for a single row's failure."""
        # Stop well inside the claim timeout, so no other sender takes over a row we still hold.
        deadline = time.monotonic() + claim_timeout / 2
        sent: list[str] = []
        for _ in range(MAX_BATCHES):
            rows = store.claim(
                self.db, now=now, worker=worker, claim_timeout=claim_timeout, limit=limit
            )
            if not rows:
                break
            for index, row in enumerate(rows):
                if time.monotonic() > deadline:
                    store.unclaim(self.db, [r.id for r in rows[index:]], worker=worker)
                    left = len(rows) - index
                    log.warning("sweep ran out of time; %d rows left for the next one", left)
                    return sent
                if done := self.deliver(row, now):
                    sent.append(done)
        return sent

    def _failed(
        self, row: Outbox, now: datetime, code: str, *, permanent: bool, retry_after: int | None
    ) -> None:
        attempts = row.attempts + 1
        give_up = permanent or attempts >= MAX_ATTEMPTS
        retry_at = None if give_up else now + timedelta(seconds=retry_delay(attempts, retry_after))
        store.release(self.db, row.id, error=code, retry_at=retry_at, attempts=attempts)
        if not give_up:
            log.warning("%s failed (%s); retry %d at %s", row.dedupe_key, code, attempts, retry_at)
            return
        log.error("%s failed for good after %d attempts: %s", row.dedupe_key, attempts, code)
        if tell := self.gave_up.get(row.kind):
            tell(row, code)


def retry_delay(attempts: int, retry_after: int | None = None) -> int:
    """Seconds before retrying a send: Slack's Retry-After, else 1, 2, 4 … minutes up to 1 h."""
    if retry_after:
        return max(1, retry_after)
    return min(60 * 2 ** max(0, attempts - 1), 3600)
