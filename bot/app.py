"""The Bolt app: signature verification, error handling, every listener."""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor, ThreadPoolExecutor
from typing import Any

from slack_bolt import App, BoltRequest

from bot.wiring import Deps
from handlers import register_all

log = logging.getLogger(__name__)


def build_app(deps: Deps, *, executor: Executor | None = None) -> App:
    """Bolt app with signature verification and every handler (events are handled once each:
    handlers.events with bot.slack.deliveries)."""
    settings = deps.settings
    app = App(
        client=deps.notifier.client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "socket-mode-has-no-signing-secret",
        # auth.test once at start-up: a bad token stops start-up, and no request waits on it.
        token_verification_enabled=True,
        # Commands and interactions ack in the request thread; their work runs as Bolt lazy
        # listeners on this pool, so a burst of slow work never delays later acks. Events
        # are acked after their work, so that a failed one comes again (handlers.events).
        process_before_response=True,
        listener_executor=executor
        or ThreadPoolExecutor(
            max_workers=settings.INCIDENT_WORKER_THREADS, thread_name_prefix="work"
        ),
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
    )

    @app.error
    def unexpected(error: Exception, body: dict[str, Any]) -> None:
        ref = uuid.uuid4().hex[:8]
        log.exception("unhandled error ref=%s type=%s", ref, body.get("type"), exc_info=error)

    register_all(app, deps)
    return app


def dispatch(app: App, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """Hand one (signed) request to the app in-process; returns (status, body). For the demo."""
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    return response.status, response.body
