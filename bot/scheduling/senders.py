"""Which domain sends each kind of outbox row, and who hears when one fails for good."""

from __future__ import annotations

from functools import partial

from bot.followups.reminders import report_undelivered, send_reminder
from bot.incidents.announcements import send_announcement
from bot.incidents.nudges import send_nudge
from bot.outbox.delivery import Courier
from bot.overview.digest_delivery import send_digest
from bot.wiring import Deps


def courier(deps: Deps) -> Courier:
    """The delivery of every kind the scheduler plans or a change records."""
    return Courier(
        deps.db,
        senders={
            "reminder": partial(send_reminder, deps),
            "nudge": partial(send_nudge, deps),
            "digest": partial(send_digest, deps),
            "announce": partial(send_announcement, deps),
        },
        gave_up={"reminder": partial(report_undelivered, deps)},
    )
