"""The per-process delivery worker: sends recorded rows as soon as Slack's limits allow.

A change commits its outbox rows, then kicks the worker with their lanes. A dispatcher thread
hands each ready lane to a small pool; a lane is drained by one thread at a time (and, through
the lane claim, by one process at a time). A rate-limited lane is handed back with the time it
may go again, and the dispatcher wakes it then: no thread sleeps through a Retry-After. Every
few seconds the dispatcher also looks for due rows nobody kicked (another replica's retries, a
dead process's stale claims); the scheduler's sweep remains the backstop behind it.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from bot.db import Database
from bot.models import Outbox
from bot.outbox import store
from bot.outbox.delivery import Courier
from bot.slack.calls import deferring

log = logging.getLogger(__name__)
HOST = socket.gethostname()
Lane = str | None
POLL = 5.0  # seconds between looks for due rows nobody kicked
THREADS = 4


@dataclass(order=True)
class _Watch:
    deadline: float
    order: int
    rows: list[int] = field(compare=False)
    tell: Callable[[str | None], None] = field(compare=False)


def worker_name() -> str:
    """host:pid:random: who holds a claim, and (on this host) whether it can still be alive."""
    return f"{HOST}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def dead_on_this_host(me: str) -> Callable[[str], bool]:
    """Whether a claim holder was a process on this host that no longer runs."""

    def dead(holder: str) -> bool:
        host, _, rest = holder.partition(":")
        pid_text = rest.partition(":")[0]
        if host != HOST or holder == me or not pid_text.isdigit():
            return False
        pid = int(pid_text)
        if pid == os.getpid():
            return True  # an earlier incarnation of this very process (a container restart)
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False

    return dead


class DeliveryWorker:
    """Drains lanes on kicks, on timers and on a slow poll; see the module docstring."""

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime],
        *,
        claim_timeout: int,
        threads: int = THREADS,
        poll: float = POLL,
    ) -> None:
        self.db = db
        self.clock = clock
        self.claim_timeout = claim_timeout
        self.name = worker_name()
        self.threads = threads
        self.poll = poll
        self.courier: Courier | None = None
        self._cond = threading.Condition()
        self._kicked: set[Lane] = set()
        self._again: set[Lane] = set()
        self._busy: set[Lane] = set()
        self._timers: dict[Lane, float] = {}
        self._watches: list[_Watch] = []
        self._order = itertools.count()
        self._next_poll = 0.0
        self._stopping = False
        self._thread: threading.Thread | None = None
        self._pool: ThreadPoolExecutor | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None and not self._stopping

    def start(self, courier: Courier) -> None:
        """Start the dispatcher (once); first hand back claims of this host's dead processes."""
        with self._cond:
            if self._thread is not None:
                return
            self.courier = courier
            released = store.release_dead_claims(self.db, dead_on_this_host(self.name))
            if released:
                log.info("took back %d rows claimed by a process that died", released)
            self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="delivery")
            self._thread = threading.Thread(target=self._run, name="delivery", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def kick(self, *lanes: Lane) -> None:
        """Rows were recorded in these lanes: send them now if their limits allow."""
        if self._thread is None:
            return  # no worker in this process: the scheduler's sweep sends them
        with self._cond:
            self._kicked.update(lanes)
            self._cond.notify()

    def watch(self, rows: list[int], within: float, tell: Callable[[str | None], None]) -> None:
        """Call `tell` (once) if any of these rows is still unsent after `within` seconds:
        with Slack's error code when Slack refused it for good, else None (still coming)."""
        if self._thread is None:
            return
        with self._cond:
            due = time.monotonic() + within
            heapq.heappush(self._watches, _Watch(due, next(self._order), rows, tell))
            self._cond.notify()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is due or being sent (demo, benchmarks, tests)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._cond:
                idle = not self._busy and not self._kicked
            if idle and not self._due():
                return True
            time.sleep(0.02)
        return False

    # --- the dispatcher ---------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._cond:
                if self._stopping:
                    return
                now = time.monotonic()
                lanes = set(self._kicked)
                self._kicked.clear()
                for lane, at in list(self._timers.items()):
                    if at <= now:
                        lanes.add(lane)
                        del self._timers[lane]
                poll = now >= self._next_poll
                watches = []
                while self._watches and self._watches[0].deadline <= now:
                    watches.append(heapq.heappop(self._watches))
                if not lanes and not poll and not watches:
                    self._cond.wait(self._sleep(now))
                    continue
            if poll:
                self._next_poll = time.monotonic() + self.poll
                lanes.update(self._due())
            for lane in lanes:
                self._start(lane)
            for watch in watches:
                self._check(watch)

    def _sleep(self, now: float) -> float:
        wakes = [self._next_poll, *self._timers.values()]
        if self._watches:
            wakes.append(self._watches[0].deadline)
        return max(0.005, min(wakes) - now)

    def _due(self) -> list[Lane]:
        try:
            return store.due_lanes(self.db, now=self.clock(), claim_timeout=self.claim_timeout)
        except Exception:
            log.exception("looking for due outbox rows failed; looking again later")
            return []

    def _start(self, lane: Lane) -> None:
        with self._cond:
            if lane in self._busy:
                self._again.add(lane)  # drained again when the running drain ends
                return
            self._busy.add(lane)
        assert self._pool is not None
        self._pool.submit(self._drain, lane)

    def _drain(self, lane: Lane) -> None:
        assert self.courier is not None
        wake: float | None = None
        try:
            while True:
                now = self.clock()
                rows = store.claim_lane(
                    self.db, lane, now=now, worker=self.name, claim_timeout=self.claim_timeout
                )
                if not rows:
                    break
                with deferring():
                    drained = self.courier.drain(
                        rows, now, time.monotonic() + self.claim_timeout / 2
                    )
                if drained.wake is not None:
                    wake = drained.wake if wake is None else min(wake, drained.wake)
                    break
        except Exception:
            log.exception("delivering lane %s failed; trying again shortly", lane)
            wake = 1.0
        finally:
            with self._cond:
                self._busy.discard(lane)
                if wake is not None:
                    at = time.monotonic() + wake
                    self._timers[lane] = min(self._timers.get(lane, at), at)
                if lane in self._again:
                    self._again.discard(lane)
                    self._kicked.add(lane)
                self._cond.notify()

    def _check(self, watch: _Watch) -> None:
        try:
            with self.db.unit_of_work() as session:
                unsent = session.execute(
                    select(Outbox.failed, Outbox.last_error).where(
                        Outbox.id.in_(watch.rows), Outbox.sent_at.is_(None)
                    )
                ).all()
        except Exception:
            log.exception("checking outbox rows %s failed", watch.rows)
            return
        if unsent and self._pool is not None:
            refused = next((error for failed, error in unsent if failed), None)
            self._pool.submit(_quietly, watch.tell, refused or None)


def _quietly(tell: Callable[[str | None], None], refused: str | None) -> None:
    try:
        tell(refused)
    except Exception:
        log.exception("telling someone how their change fared in Slack failed")
