"""The work after each ack, bounded: a pool with a queue limit, and what happens past it.

Every listener acks at once and queues its work here. Under sustained load an unbounded queue
only grows: acks stay fast while answers come minutes late and nobody knows. Past
INCIDENT_WORK_QUEUE_MAX queued items the bot still acks, but a slash command is answered in
the ack that it was not run (nothing changed; try in a minute), a button or shortcut gets
that line through its response_url, and an event is refused with 503 so that Slack delivers
it again later. /metrics shows the depth and the age of the oldest queued item.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from slack_bolt import Ack, App, BoltResponse

from bot.telemetry import WORK_QUEUE_DEPTH, WORK_QUEUE_OLDEST, WORK_QUEUE_REFUSED

log = logging.getLogger(__name__)
BUSY = (
    "incident-bot has more work queued than it can start now ({depth} requests), so this was "
    "not run and nothing changed. Please try again in a minute."
)


class BoundedExecutor(ThreadPoolExecutor):
    """A thread pool that knows how much is queued and for how long (not yet started)."""

    def __init__(self, max_workers: int, limit: int, thread_name_prefix: str = "work") -> None:
        super().__init__(max_workers=max_workers, thread_name_prefix=thread_name_prefix)
        self.limit = limit
        self._lock = threading.Lock()
        self._queued: OrderedDict[int, float] = OrderedDict()  # ticket -> when queued
        self._tickets = 0
        WORK_QUEUE_DEPTH.set_function(self.depth)
        WORK_QUEUE_OLDEST.set_function(self.oldest_age)

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._lock:
            self._tickets += 1
            ticket = self._tickets
            self._queued[ticket] = time.monotonic()

        def started() -> Any:
            with self._lock:
                self._queued.pop(ticket, None)
            return fn(*args, **kwargs)

        return super().submit(started)

    def depth(self) -> int:
        with self._lock:
            return len(self._queued)

    def oldest_age(self) -> float:
        with self._lock:
            oldest = next(iter(self._queued.values()), None)
        return 0.0 if oldest is None else time.monotonic() - oldest

    def full(self) -> bool:
        return self.depth() >= self.limit


def register(app: App, work: BoundedExecutor) -> None:
    """Refuse new work clearly once the queue is full (registered before every other
    middleware, so a refused event is not remembered as handled)."""
    notices = ThreadPoolExecutor(max_workers=1, thread_name_prefix="busy-notice")

    @app.middleware
    def shed_load(body: dict[str, Any], ack: Ack, next: Callable[[], Any]) -> Any:
        if not work.full() or body.get("type") == "view_submission":
            return next()  # a modal's submission is kept: it cannot be typed again cheaply
        depth = work.depth()
        WORK_QUEUE_REFUSED.inc()
        log.warning("work queue full (%d queued): refusing %s", depth, body.get("type"))
        if body.get("type") == "event_callback":
            return BoltResponse(status=503, body="busy")  # Slack delivers it again later
        line = BUSY.format(depth=depth)
        if body.get("command"):
            return ack(response_type="ephemeral", text=line)
        answer = ack()
        if url := body.get("response_url"):
            notices.submit(_say, url, line)
        return answer


def _say(url: str, line: str) -> None:
    body = json.dumps({"response_type": "ephemeral", "replace_original": False, "text": line})
    request = urllib.request.Request(
        url, body.encode(), {"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=5):
            pass
    except OSError:
        log.info("could not tell someone the bot is busy")
