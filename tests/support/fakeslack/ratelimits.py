"""Slack's Web API rate limits as token buckets, for FakeSlack.enforce_rate_limits().

Which tier each method has comes from the `rate_limits` field of
docs.slack.dev/methods/<method>.json in slack-ruby/slack-api-ref @ f4837c0 (the commit
tests/fixtures/slack/SOURCES.md copies the method reference from): "t1".."t4" are Slack's
Tier 1-4, "t5" is "Special". The per-minute numbers are the floors of Slack's published tiers
(docs.slack.dev/apis/web-api/rate-limits): Tier 1 1+/min, Tier 2 20+/min, Tier 3 50+/min,
Tier 4 100+/min, limits counted per method per workspace, short bursts allowed.

A tier is a bucket holding a minute's worth of calls, refilled evenly over the minute. The
"Special" methods: chat.postMessage allows about one message per second per channel with short
bursts (a bucket of `post_burst` per channel refilled at 1/s); auth.test and chat.getPermalink
("thousands per hour") get Tier 4's bucket. A call that finds its bucket empty is answered like
Slack does: HTTP 429, `Retry-After: <seconds>`, `{"ok": false, "error": "ratelimited"}`; it
takes no token. The clock is real monotonic time (freezegun leaves it alone), times `scale`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .workspace import _real_monotonic

TIER_PER_MINUTE = {1: 1, 2: 20, 3: 50, 4: 100}
POST_MESSAGE = "chat.postMessage"
SPECIAL = 5  # Slack's "Special" tier (t5): methods with limits of their own

METHOD_TIERS: dict[str, int] = {
    "apps.connections.open": 3,
    "auth.test": SPECIAL,
    "bookmarks.add": 2,
    "bookmarks.edit": 2,
    "bookmarks.list": 3,
    "bookmarks.remove": 2,
    "canvases.create": 2,
    "canvases.delete": 3,
    "canvases.edit": 3,
    "chat.delete": 3,
    "chat.getPermalink": SPECIAL,
    "chat.postEphemeral": 4,
    "chat.postMessage": SPECIAL,
    "chat.update": 3,
    "conversations.archive": 2,
    "conversations.canvases.create": 2,
    "conversations.create": 2,
    "conversations.history": 3,
    "conversations.info": 3,
    "conversations.invite": 3,
    "conversations.join": 3,
    "conversations.list": 2,
    "conversations.members": 4,
    "conversations.open": 3,
    "conversations.replies": 3,
    "conversations.setPurpose": 2,
    "conversations.setTopic": 2,
    "files.completeUploadExternal": 4,
    "files.delete": 3,
    "files.getUploadURLExternal": 4,
    "files.info": 4,
    "pins.add": 2,
    "pins.list": 2,
    "pins.remove": 2,
    "reactions.add": 3,
    "reactions.remove": 2,
    "users.info": 4,
    "usergroups.users.list": 2,
    "users.lookupByEmail": 3,
    "views.open": 4,
    "views.publish": 4,
    "views.push": 4,
    "views.update": 4,
}
SPECIAL_AS_TIER = 4  # auth.test, chat.getPermalink: "thousands per hour"


@dataclass(frozen=True)
class RateLimited:
    """One call the fake answered with 429 because a bucket was empty."""

    method: str
    channel: str | None  # the call's conversation (id when the fake knows it), if it named one
    at: float  # real monotonic seconds
    retry_after: int


@dataclass
class _Bucket:
    capacity: float
    per_second: float
    tokens: float
    updated: float


class RateLimiter:
    """Token buckets per method (and per channel for chat.postMessage) of one workspace."""

    def __init__(
        self,
        scale: float = 1.0,
        post_burst: int = 4,
        tiers: Mapping[str, int] | None = None,
        clock: Callable[[], float] = _real_monotonic,
    ) -> None:
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.scale = scale
        self.post_burst = post_burst
        self.tiers = {**METHOD_TIERS, **(tiers or {})}
        self.clock = clock
        self._buckets: dict[tuple[str, str | None], _Bucket] = {}

    def tier_of(self, method: str) -> int | None:
        """The method's tier (5 = Special), or None when the fake sets no limit for it."""
        return self.tiers.get(method)

    def take(self, method: str, channel: str | None) -> int | None:
        """Spend a token for this call: None when it may go on, else Retry-After seconds."""
        tier = self.tiers.get(method)
        if tier is None:
            return None
        per_channel = method == POST_MESSAGE and tier == SPECIAL
        key = (method, channel if per_channel else None)
        now = self.clock()
        bucket = self._buckets.get(key)
        if bucket is None:
            capacity, per_second = self._shape(tier, per_channel)
            bucket = self._buckets[key] = _Bucket(capacity, per_second, capacity, now)
        elapsed = max(0.0, now - bucket.updated) * self.scale
        bucket.tokens = min(bucket.capacity, bucket.tokens + elapsed * bucket.per_second)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        wait = (1.0 - bucket.tokens) / bucket.per_second / self.scale
        return max(1, math.ceil(wait))

    def _shape(self, tier: int, per_channel: bool) -> tuple[float, float]:
        """(bucket capacity, tokens per second of unscaled time)."""
        if per_channel:
            return float(self.post_burst), 1.0
        per_minute = TIER_PER_MINUTE[SPECIAL_AS_TIER if tier == SPECIAL else tier]
        return float(per_minute), per_minute / 60.0
