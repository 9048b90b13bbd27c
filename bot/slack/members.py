"""Who is in a channel, as Slack says (conversations.members), remembered for a short while.

Each answer is kept per (channel, person) for `ttl` seconds, so a burst of clicks costs one
call, and someone removed from a channel loses access within `ttl` even if the
member_left_channel event never arrives. Joins and leaves the bot hears of overwrite the answer.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from bot.slack.port import Notifier

MEMBERSHIP_TTL = 60.0  # seconds an answer from Slack is trusted
MEMBERSHIP_ENTRIES = 10_000  # answers kept at most; the oldest go first


class ChannelMembers:
    """Slack's answer to "is this person in this channel?", cached with a bounded lifetime."""

    def __init__(
        self,
        notifier: Notifier,
        *,
        ttl: float = MEMBERSHIP_TTL,
        max_entries: int = MEMBERSHIP_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.notifier = notifier
        self.ttl = ttl
        self.max_entries = max_entries
        self.clock = clock
        self._answers: OrderedDict[tuple[str, str], tuple[float, bool]] = OrderedDict()
        self._lock = threading.Lock()

    def is_member(self, channel: str, user: str) -> bool:
        """Slack's answer, asked at most once per `ttl`; SlackFailure when Slack can't say."""
        key = (channel, user)
        with self._lock:
            cached = self._answers.get(key)
            if cached is not None and self.clock() - cached[0] < self.ttl:
                return cached[1]
        answer = self.notifier.is_in_channel(channel, user)
        self.remember(channel, user, answer)
        return answer

    def remember(self, channel: str, user: str, present: bool) -> None:
        """Record what Slack told us (an answer, or a join/leave event)."""
        with self._lock:
            self._answers[(channel, user)] = (self.clock(), present)
            self._answers.move_to_end((channel, user))
            while len(self._answers) > self.max_entries:
                self._answers.popitem(last=False)
