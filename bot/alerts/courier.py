"""The Slack side of alerts runs here, after the sender has its answer: one thread per
process takes what is due, paced under Slack's rate limits, and coalesces bursts.

Pacing: chat.update is Tier 3 (50+/min per workspace) and chat.postMessage about one per
second per channel with short bursts (docs.slack.dev/apis/web-api/rate-limits); each is a
token bucket here, below those floors. One message is edited at most every ITEM_GAP seconds,
so a storm of notifications about one group becomes a few edits showing the latest state.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterable

from bot.alerts.intake import (
    BATCH,
    Unapplied,
    checkpoint,
    others_waiting,
    process,
    set_aside,
    transaction,
)
from bot.alerts.payloads import Notification
from bot.alerts.routing import rules_for
from bot.alerts.rules import Route
from bot.alerts.sync import Outcome, Syncer, pending, summary_of
from bot.incidents import guided
from bot.wiring import Deps

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
ITEM_GAP = 2.0  # seconds between two edits of one message
IDLE_EXIT = 5.0  # the thread ends when nothing is due sooner; the sweep finds the rest
BUCKETS = {"chat.update": (10.0, 50 / 60), "chat.postMessage": (3.0, 1.0)}  # burst, per second
Key = tuple[str, int]  # ("group" | "summary", row id)


class Pacer:
    """Token buckets per Slack method (per channel for chat.postMessage); `wait` blocks."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.buckets: dict[tuple[str, str | None], tuple[float, float]] = {}

    def wait(self, method: str, channel: str | None) -> None:
        shape = BUCKETS.get(method)
        if shape is None:
            return
        burst, rate = shape
        key = (method, channel if method == "chat.postMessage" else None)
        with self.lock:
            now = time.monotonic()
            tokens, updated = self.buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - updated) * rate) - 1.0
            self.buckets[key] = (tokens, now)
        if tokens < 0:
            time.sleep(-tokens / rate)


class Courier:
    """Schedules syncs of groups and summaries; `poke` after a commit, `sweep` for leftovers."""

    def __init__(self, deps: Deps) -> None:
        self.pacer = Pacer()
        self.syncer = Syncer(deps, WORKER, self.pacer.wait)
        self.deps = deps
        self.cond = threading.Condition()
        self.due: dict[Key, float] = {}
        self.quiet_until: dict[Key, float] = {}
        self.thread: threading.Thread | None = None
        self.intake: threading.Thread | None = None
        self.intake_wanted = False
        self.one_by_one = 0  # after a batch failed: apply this many alone, to find the bad one
        self.stopped = False

    # --- applying accepted notifications ------------------------------------------------------
    def take_in(self) -> None:
        """Notifications were accepted: apply them soon (one thread per process does)."""
        with self.cond:
            if self.stopped:
                return
            self.intake_wanted = True
            if self.intake is None:
                self.intake = threading.Thread(target=self._take_in, name="alerts-in", daemon=True)
                self.intake.start()

    def _route(self, note: Notification) -> Route:
        settings = self.deps.settings
        return rules_for(settings).route(note, settings.INCIDENT_ALERT_CHANNEL)

    def _take_in(self) -> None:
        while True:
            with self.cond:
                if self.stopped or not self.intake_wanted:
                    self.intake = None
                    return
                self.intake_wanted = False
            try:
                batches = 0
                while self._apply_batch():
                    batches += 1
                    if batches % 10 == 0:
                        checkpoint(self.deps.db)
                checkpoint(self.deps.db)
            except Exception:  # the database went away: the sweep takes it up again
                log.exception("applying alert notifications failed")

    def _apply_batch(self) -> int:
        db = self.deps.db
        yield_until = time.monotonic() + 0.05
        while others_waiting(db) and time.monotonic() < yield_until:
            time.sleep(0.001)  # senders first: their answers wait on this lock
        limit = 1 if self.one_by_one > 0 else BATCH
        try:
            with transaction(db) as session:
                taken, done = process(session, self._route, self.deps.clock(), limit=limit)
        except Unapplied as failed:
            if failed.note_id is None:
                self.one_by_one = BATCH  # find the one that fails
                return 1
            log.error("alert notification %s set aside: %s", failed.note_id, failed.reason)
            with transaction(db) as session:
                set_aside(session, failed.note_id, failed.reason, self.deps.clock())
            taken, done = 1, []
        self.one_by_one = max(0, self.one_by_one - taken)
        self.poke(("group", r.group_id) for r in done if r.created or r.changed or r.incident_id)
        fired = {r.incident_id for r in done if r.incident_id is not None and r.transitions}
        if fired and self.deps.delivery is not None:  # their `alert` workflows, at once
            self.deps.delivery.kick(*(guided.lane(i) for i in fired))
        return taken

    def poke(self, keys: Iterable[Key], delay: float = 0.0) -> None:
        """These need Slack work: as soon as their pacing allows."""
        with self.cond:
            if self.stopped:
                return
            now = time.monotonic()
            for key in keys:
                at = max(now + delay, self.quiet_until.get(key, 0.0))
                self.due[key] = min(self.due.get(key, at), at)
            if self.due and self.thread is None:
                self.thread = threading.Thread(target=self._run, name="alerts", daemon=True)
                self.thread.start()
            self.cond.notify()

    def sweep(self) -> int:
        """Poke everything the database says Slack is behind on (after restarts, failures,
        or a replica that died mid-sync)."""
        with transaction(self.deps.db) as session:
            keys = pending(session, self.deps.clock())
        self.take_in()
        self.poke(keys)
        return len(keys)

    def stop(self) -> None:
        """Finish the sync under way, then stop (tests; shutdown)."""
        with self.cond:
            self.stopped = True
            self.due.clear()
            self.cond.notify()
            threads = [t for t in (self.thread, self.intake) if t is not None]
        for thread in threads:
            thread.join(timeout=30)

    def _next(self) -> Key | None:
        with self.cond:
            while True:
                if self.stopped or not self.due:
                    self.thread = None
                    return None
                key, at = min(self.due.items(), key=lambda item: item[1])
                wait = at - time.monotonic()
                if wait > IDLE_EXIT:
                    self.thread = None
                    return None
                if wait <= 0:
                    del self.due[key]
                    return key
                self.cond.wait(wait)

    def _run(self) -> None:
        while (key := self._next()) is not None:
            try:
                outcome = self._sync(key)
            except Exception:  # the database went away: the sweep finds it again later
                log.exception("alert sync of %s %s failed", *key)
                outcome = Outcome(done=False)
            now = time.monotonic()
            with self.cond:
                self.quiet_until[key] = now + ITEM_GAP
            if outcome.retry_after is not None:
                self.poke([key], delay=outcome.retry_after)
            elif outcome.dirty:
                self.poke([key])

    def _sync(self, key: Key) -> Outcome:
        kind, row_id = key
        outcome = self.syncer.group(row_id) if kind == "group" else self.syncer.summary(row_id)
        if kind == "group" and outcome.done:
            self._poke_summary_of(row_id)
        return outcome

    def _poke_summary_of(self, group_id: int) -> None:
        """A group that feeds an incident: its summary may need redrawing too."""
        summary_id = summary_of(self.deps, group_id)
        if summary_id is not None:
            self.poke([("summary", summary_id)])


_COURIERS: dict[int, Courier] = {}
_LOCK = threading.Lock()


def courier_for(deps: Deps) -> Courier:
    """The one courier of these Deps (web hooks, buttons and the scheduler share it)."""
    with _LOCK:
        courier = _COURIERS.get(id(deps))
        if courier is None or courier.deps is not deps:
            courier = _COURIERS[id(deps)] = Courier(deps)
        return courier


def stop(deps: Deps) -> None:
    """Stop the courier of these Deps, if one was started."""
    with _LOCK:
        courier = _COURIERS.pop(id(deps), None)
    if courier is not None:
        courier.stop()
