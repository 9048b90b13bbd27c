"""Slack's limits as token buckets, so the bot paces itself instead of collecting 429s.

chat.postMessage allows about one message per second per channel, with short bursts; a few
methods the bot calls often have per-workspace tiers (chat.update Tier 3, 50/min;
conversations.setTopic Tier 2, 20/min). Each bucket here is a little under Slack's published
floor, so jitter between our clock and Slack's does not tip a call over.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

POST = "chat.postMessage"
POST_BURST = 3.0  # Slack allows short bursts per channel; ours is smaller than its
POST_PER_SECOND = 1.0
# Per-workspace methods paced here: (bucket size, calls per second).
METHOD_LIMITS = {
    "chat.update": (40.0, 50 / 60 * 0.9),
    "conversations.setTopic": (15.0, 20 / 60 * 0.9),
}


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float


class Pacer:
    """Token buckets per (method, channel) for posts and per method otherwise; thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str | None], _Bucket] = {}

    @staticmethod
    def paces(method: str) -> bool:
        return method == POST or method in METHOD_LIMITS

    def take(self, method: str, channel: str | None = None) -> float:
        """Spend a token now (returns 0), or return the seconds until one is there."""
        if not self.paces(method):
            return 0.0
        with self._lock:
            bucket = self._refilled(method, channel)
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / bucket.per_second

    def wait(self, method: str, channel: str | None = None) -> float:
        """Seconds until a token is there, spending nothing."""
        if not self.paces(method):
            return 0.0
        with self._lock:
            bucket = self._refilled(method, channel)
            return max(0.0, (1.0 - bucket.tokens) / bucket.per_second)

    def block(self, method: str, channel: str | None, seconds: float) -> None:
        """Slack answered 429 with Retry-After: no call of a per-workspace method goes out
        before it has passed. (A refused post holds its own lane: the outbox row is due
        after Retry-After, and only that lane posts to that channel.)"""
        if method not in METHOD_LIMITS:
            return
        with self._lock:
            bucket = self._refilled(method, channel)
            bucket.tokens = min(bucket.tokens, 1.0 - seconds * bucket.per_second)

    def _refilled(self, method: str, channel: str | None) -> _Bucket:
        key = (method, channel if method == POST else None)
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            capacity, rate = (
                (POST_BURST, POST_PER_SECOND) if method == POST else METHOD_LIMITS[method]
            )
            bucket = self._buckets[key] = _Bucket(capacity, rate, capacity, now)
        elapsed = max(0.0, now - bucket.updated)
        bucket.tokens = min(bucket.capacity, bucket.tokens + elapsed * bucket.per_second)
        bucket.updated = now
        return bucket


def whole_seconds(wait: float) -> int:
    """A wait as Retry-After would say it: whole seconds, at least one."""
    return max(1, math.ceil(wait))
