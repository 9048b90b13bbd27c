"""Reminders, nudges and the weekly digest: durable outbox rows, APScheduler triggers.

Public entry points: `start_background(deps) -> stop`, `run_forever(deps)` and
`run_due(deps, now) -> [what was sent]` (for the demo and tests).
"""

from bot.overview.digest import file_part, register_digest_extra
from bot.scheduling.runner import plan, run_due, run_forever, start_background, tick
from bot.stats.charts import digest_chart

register_digest_extra(digest_chart)  # the digest carries the incidents chart (issue #6)

__all__ = [
    "file_part",
    "plan",
    "register_digest_extra",
    "run_due",
    "run_forever",
    "start_background",
    "tick",
]
