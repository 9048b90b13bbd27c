"""The Bolt app: signature verification, error handling, every listener."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltRequest

from bot.scheduling.senders import courier
from bot.wiring import Deps
from handlers import backlog, register_all
from handlers.backlog import BoundedExecutor

log = logging.getLogger(__name__)


def build_app(deps: Deps, *, executor: Executor | None = None) -> App:
    """Bolt app with signature verification and every handler (events are handled once each:
    handlers.events with bot.slack.deliveries)."""
    settings = deps.settings
    work = executor or BoundedExecutor(
        settings.INCIDENT_WORKER_THREADS, settings.INCIDENT_WORK_QUEUE_MAX
    )
    app = App(
        client=deps.notifier.client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "socket-mode-has-no-signing-secret",
        # auth.test once at start-up: a bad token stops start-up, and no request waits on it.
        token_verification_enabled=True,
        # Commands and interactions ack in the request thread; their work runs as Bolt lazy
        # listeners on this pool, so a burst of slow work never delays later acks. Events
        # are acked after their work, so that a failed one comes again (handlers.events).
        process_before_response=True,
        listener_executor=work,
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
    )

    if isinstance(work, BoundedExecutor):
        backlog.register(app, work)  # first: a refused event must not count as handled

    @app.error
    def unexpected(error: Exception, body: dict[str, Any]) -> None:
        ref = uuid.uuid4().hex[:8]
        log.exception("unhandled error ref=%s type=%s", ref, body.get("type"), exc_info=error)

    register_all(app, deps)
    if deps.delivery is not None:
        deps.delivery.start(courier(deps))  # what changes record is sent from here on
    return app


def dispatch(app: App, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """Hand one (signed) request to the app in-process; returns (status, body). For the demo."""
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    return response.status, response.body
