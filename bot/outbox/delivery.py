"""Sending what is due: rows of one lane, grouped, checked, sent; the outcome recorded.

A lane is one destination (a channel, a person's DM). Its claimed rows go out in order, in
groups: a kind may merge consecutive rows into one message (timeline echoes), or collapse all
of them into one call that carries the latest state (card, topic). A row is marked sent only
after Slack accepted it. Before a post whose earlier attempt got no answer is sent again, its
lane is searched for a message carrying the row's metadata: found means sent. A rate limit
reschedules the lane (Retry-After) instead of waiting in a thread.
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
from bot.slack.calls import UNKNOWN, Paced, tagged
from bot.slack.port import Notifier
from bot.slack.recall import landed
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
SendMany = Callable[[list[Outbox], datetime], str]  # delivers a group of one lane's rows
GaveUp = Callable[[Outbox, str], None]  # told when a row fails for good, with Slack's code


class Moot(Exception):
    """The message no longer applies (item closed, owner changed, incident updated)."""


class Later(Exception):
    """Not possible yet (the card it updates is not posted yet): retry in `seconds`, which
    counts as no attempt."""

    def __init__(self, seconds: float, why: str) -> None:
        super().__init__(why)
        self.seconds = seconds


@dataclass(frozen=True)
class Kind:
    """How rows of one kind are sent.

    group: "one" (each row alone), "merge" (up to `most` consecutive rows in one call) or
    "latest" (every row of the kind in the lane collapses into one call of the latest state).
    posts: the call is one tagged post to the lane, checked for before it is sent again
    (otherwise the sender checks what it needs itself, see bot.incidents.setup).
    first_retry: seconds before the first retry after a failure, doubling after each.
    thread: for posts that go in a thread, the thread's ts for a row (where to look for them).
    """

    send: SendMany
    group: str = "one"
    posts: bool = True
    first_retry: int = 60
    patience: int = MAX_ATTEMPTS
    most: int = 1
    thread: Callable[[Outbox], str | None] | None = None


def one(send: Send) -> SendMany:
    """A sender of single rows as a sender of groups (of one)."""
    return lambda rows, now: send(rows[0], now)


@dataclass
class Drained:
    """What a lane's drain did: lines sent, and when the lane wants another turn (seconds)."""

    sent: list[str] = field(default_factory=list)
    wake: float | None = None
    out_of_time: bool = False

    def later(self, seconds: float) -> None:
        self.wake = seconds if self.wake is None else min(self.wake, seconds)


@dataclass(frozen=True)
class Courier:
    """Delivers claimed rows: a Kind per row kind, and who to tell when one fails for good."""

    db: Database
    kinds: Mapping[str, Kind]
    gave_up: Mapping[str, GaveUp] = field(default_factory=dict)
    slack: Notifier | None = None  # to check for posts whose answer was lost

    def deliver(self, row: Outbox, now: datetime) -> str | None:
        """Send one claimed row and record the outcome: sent, moot, retry later, or failed."""
        done = self.drain([row], now)
        return done.sent[0] if done.sent else None

    def drain(self, rows: list[Outbox], now: datetime, deadline: float | None = None) -> Drained:
        """Send a lane's claimed rows in order, grouped; never raises for one group's failure.

        Once Slack (or our own pacing) rate-limits posts, later posts of the lane are handed
        back for the lane's next turn; updates that are not posts still go. Past `deadline`
        (time.monotonic) the rest is handed back unsent.
        """
        drained = Drained()
        posts_blocked_for: float | None = None
        groups = grouped(rows, self.kinds)
        for index, group in enumerate(groups):
            if deadline is not None and time.monotonic() > deadline:
                left = [r.id for g in groups[index:] for r in g]
                store.unclaim(self.db, left, worker=group[0].claimed_by or "")
                drained.out_of_time = True
                log.warning("out of time; %d rows handed back for the next turn", len(left))
                return drained
            kind = self.kinds.get(group[0].kind)
            if posts_blocked_for is not None and (kind is None or kind.posts):
                store.defer(self.db, [r.id for r in group], until=now)
                continue
            limited = self._deliver(group, kind, now, drained)
            if limited is not None and (kind is None or kind.posts):
                posts_blocked_for = limited
        return drained

    def _deliver(
        self, group: list[Outbox], kind: Kind | None, now: datetime, drained: Drained
    ) -> float | None:
        """Deliver one group; returns the wait when Slack's limit stopped it."""
        ids = [r.id for r in group]
        try:
            if kind is None:
                raise Moot(f"unknown outbox kind {group[0].kind!r}")
            group = self._not_yet_landed(group, kind, now)
            if not group:
                return None
            ids = [r.id for r in group]
            store.attempt(self.db, ids, now=now)
            with tagged(ids):
                what = kind.send(group, now)
        except Moot as exc:
            store.mark_sent(self.db, ids, now=now, note=f"skipped: {exc}")
            return None
        except Later as exc:
            until = now + timedelta(seconds=exc.seconds)
            store.defer(self.db, ids, until=until, untried=kind is not None and kind.posts)
            drained.later(exc.seconds)
            return None
        except Paced as exc:
            # Nothing was sent: due as before, and this lane's turn comes when the wait is over.
            wait = float(exc.retry_after or 1)
            store.defer(self.db, ids, until=now, untried=kind is not None and kind.posts)
            drained.later(wait)
            return wait
        except SlackFailure as exc:
            if exc.code == "ratelimited":
                wait = float(exc.retry_after or 1)
                retry_at = now + timedelta(seconds=wait)
                store.release(self.db, ids, error="ratelimited", retry_at=retry_at, attempts=None)
                drained.later(wait)
                return wait
            assert kind is not None
            self._failed(group, kind, now, exc.code, drained)
            return None
        except Exception as exc:  # a bug or an outage must not stop the other rows
            log.exception("sending outbox rows %s (%s) failed", ids, group[0].dedupe_key)
            if kind is not None:
                self._failed(group, kind, now, type(exc).__name__, drained, unknown=True)
            return None
        store.mark_sent(self.db, ids, now=now)
        for row in group:
            REMINDERS_SENT.labels(kind=row.kind).inc()
        log.info("sent %s", what)
        drained.sent.append(what)
        return None

    def _not_yet_landed(self, group: list[Outbox], kind: Kind, now: datetime) -> list[Outbox]:
        """Rows of a tagged post whose earlier attempt got no answer: those Slack already
        shows are marked sent (not sent twice); the rest go on."""
        tried = [r.attempted_at for r in group if r.attempted_at is not None]
        if not kind.posts or not tried or self.slack is None or not group[0].channel:
            return group
        thread_ts = kind.thread(group[0]) if kind.thread else None
        rows = {r.id for r in group}
        found = landed(self.slack, group[0].channel, rows, min(tried), thread_ts)
        if found:
            store.mark_sent(self.db, list(found), now=now, note="already in Slack (checked)")
            log.info("rows %s were already in Slack; not sent again", sorted(found))
        return [r for r in group if r.id not in found]

    def sweep(self, now: datetime, worker: str, claim_timeout: int, limit: int = 200) -> list[str]:
        """Claim and send everything due at `now`, lane by lane; never raises for one row."""
        # Stop well inside the claim timeout, so no other sender takes over a row we still hold.
        deadline = time.monotonic() + claim_timeout / 2
        sent: list[str] = []
        waiting: set[str | None] = set()  # lanes told to wait: their turn is a later sweep
        for _ in range(MAX_BATCHES):
            lanes = store.due_lanes(self.db, now=now, claim_timeout=claim_timeout, limit=limit)
            claimed_any = False
            for lane in lanes:
                if lane in waiting:
                    continue
                rows = store.claim_lane(
                    self.db, lane, now=now, worker=worker, claim_timeout=claim_timeout
                )
                if not rows:
                    continue
                claimed_any = True
                done = self.drain(rows, now, deadline)
                sent.extend(done.sent)
                if done.out_of_time:
                    return sent
                if done.wake is not None:
                    waiting.add(lane)
            if not claimed_any:
                break
        return sent

    def _failed(
        self,
        group: list[Outbox],
        kind: Kind,
        now: datetime,
        code: str,
        drained: Drained,
        *,
        unknown: bool | None = None,
    ) -> None:
        attempts = max(r.attempts for r in group) + 1
        give_up = code in PERMANENT or attempts >= kind.patience
        delay = retry_delay(attempts, None, kind.first_retry)
        retry_at = None if give_up else now + timedelta(seconds=delay)
        if unknown is None:
            # A single post either landed or not; a sender of several calls (a declaration,
            # a digest) may have landed some before another failed: it checks each time.
            unknown = code in UNKNOWN or not kind.posts
        ids = [r.id for r in group]
        store.release(
            self.db, ids, error=code, retry_at=retry_at, attempts=attempts, unknown=unknown
        )
        if not give_up:
            log.warning(
                "%s failed (%s); retry %d at %s", group[0].dedupe_key, code, attempts, retry_at
            )
            drained.later(delay)
            return
        log.error("%s failed for good after %d attempts: %s", group[0].dedupe_key, attempts, code)
        if tell := self.gave_up.get(group[0].kind):
            for row in group:
                tell(row, code)


def grouped(rows: list[Outbox], kinds: Mapping[str, Kind]) -> list[list[Outbox]]:
    """A lane's rows in order as the groups that are sent together."""
    groups: list[list[Outbox]] = []
    latest: dict[str, list[Outbox]] = {}
    for row in rows:
        kind = kinds.get(row.kind)
        mode = kind.group if kind else "one"
        if mode == "latest":
            if row.kind in latest:
                latest[row.kind].append(row)
                continue
            latest[row.kind] = [row]
            groups.append(latest[row.kind])
        elif (
            mode == "merge"
            and kind is not None
            and groups
            and groups[-1][0].kind == row.kind
            and len(groups[-1]) < kind.most
        ):
            groups[-1].append(row)
        else:
            groups.append([row])
    return groups


def retry_delay(attempts: int, retry_after: int | None = None, first: int = 60) -> int:
    """Seconds before retrying a send: Slack's Retry-After, else `first` doubling up to 1 h."""
    if retry_after:
        return max(1, retry_after)
    return min(first * 2 ** max(0, attempts - 1), 3600)
