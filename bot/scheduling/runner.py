"""Running the scheduler: APScheduler triggers over the durable outbox.

APScheduler keeps only in-memory triggers (its job stores must not be shared); every fact
lives in the database, so any number of processes may run this side by side.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.alerts.courier import courier_for
from bot.config import parse_schedule
from bot.scheduling.planner import plan_all
from bot.scheduling.senders import courier
from bot.wiring import Deps

log = logging.getLogger(__name__)
WORKER = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def plan(deps: Deps, now: datetime) -> int:
    """Record every reminder, nudge and digest due at `now` (idempotent)."""
    with deps.db.unit_of_work() as session:
        return plan_all(session, deps.settings, now)


def run_due(deps: Deps, now: datetime | None = None, *, worker: str | None = None) -> list[str]:
    """Plan and send everything due at `now`; returns a line per message sent (demo, tests)."""
    now = now or deps.clock()
    plan(deps, now)
    courier_for(deps).sweep()  # alert messages Slack is behind on (failed, or a replica died)
    timeout = deps.settings.INCIDENT_REMINDER_CLAIM_TIMEOUT
    return courier(deps).sweep(now, worker or WORKER, timeout)


def tick(deps: Deps) -> list[str]:
    """One scheduled run; logs and swallows any error so the scheduler keeps going."""
    try:
        return run_due(deps)
    except Exception:
        log.exception("scheduler tick failed; the next tick retries")
        return []


def _add_jobs(scheduler: Any, deps: Deps) -> None:
    settings = deps.settings
    every = max(1, settings.INCIDENT_REMINDER_SWEEP)
    day, at = parse_schedule(settings.INCIDENT_DIGEST_SCHEDULE)
    common = {"max_instances": 1, "coalesce": True, "misfire_grace_time": None}
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=every),
        args=[deps],
        id="sweep",
        next_run_time=datetime.now(settings.zone),
        **common,
    )
    # The digest is also caught by the sweep; the cron trigger sends it on the minute.
    scheduler.add_job(
        tick,
        CronTrigger(day_of_week=day, hour=at.hour, minute=at.minute, timezone=settings.zone),
        args=[deps],
        id="digest",
        **common,
    )


def start_background(deps: Deps) -> Callable[[], None]:
    """Start the scheduler in a daemon thread of this process; returns its stop function."""
    scheduler = BackgroundScheduler(timezone=deps.settings.zone, daemon=True)
    _add_jobs(scheduler, deps)
    scheduler.start()
    log.info("scheduler running in-process as %s", WORKER)

    def stop() -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)

    return stop


def run_forever(deps: Deps) -> None:
    """Run only the scheduler, in the foreground, until SIGINT/SIGTERM."""
    scheduler = BlockingScheduler(timezone=deps.settings.zone)
    _add_jobs(scheduler, deps)

    def _stop(signum: int, _frame: object) -> None:
        log.info("signal %s: stopping the scheduler", signum)
        scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, _stop)
    log.info("scheduler running as %s", WORKER)
    with contextlib.suppress(KeyboardInterrupt):
        scheduler.start()
