"""The Bolt app: signature verification, event de-duplication, every listener; Socket Mode."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_bolt.adapter.socket_mode import SocketModeHandler
from sqlalchemy.exc import IntegrityError

from bot.clock import utcnow
from bot.models import ProcessedEvent
from bot.scheduling.senders import courier
from bot.wiring import Deps
from handlers import backlog, register_all
from handlers.backlog import BoundedExecutor

log = logging.getLogger(__name__)


def build_app(deps: Deps, *, executor: Executor | None = None) -> App:
    """Bolt app with signature verification, event de-duplication and every handler."""
    settings = deps.settings
    work = executor or BoundedExecutor(
        settings.INCIDENT_WORKER_THREADS, settings.INCIDENT_WORK_QUEUE_MAX
    )
    app = App(
        client=deps.notifier.client,
        signing_secret=settings.SLACK_SIGNING_SECRET or "socket-mode-has-no-signing-secret",
        # auth.test once at start-up: a bad token stops start-up, and no request waits on it.
        token_verification_enabled=True,
        # Listeners ack in the request thread; their work runs as Bolt lazy listeners on
        # this pool, so a burst of slow work never delays the acks of later requests.
        process_before_response=True,
        listener_executor=work,
        request_verification_enabled=True,
        ignoring_self_events_enabled=True,
    )

    if isinstance(work, BoundedExecutor):
        backlog.register(app, work)  # first: a refused event must not count as handled

    @app.middleware
    def skip_duplicate_events(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        """Slack redelivers events (same event_id); handle each event once."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not _first_delivery(deps, event_id):
            log.info("skipping duplicate delivery of %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    @app.error
    def unexpected(error: Exception, body: dict[str, Any]) -> None:
        ref = uuid.uuid4().hex[:8]
        log.exception("unhandled error ref=%s type=%s", ref, body.get("type"), exc_info=error)

    register_all(app, deps)
    if deps.delivery is not None:
        deps.delivery.start(courier(deps))  # what changes record is sent from here on
    return app


def _first_delivery(deps: Deps, event_id: str) -> bool:
    try:
        with deps.db.unit_of_work() as session:
            session.add(ProcessedEvent(event_id=event_id, received_at=utcnow()))
        return True
    except IntegrityError:
        return False


def dispatch(app: App, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """Hand one (signed) request to the app in-process; returns (status, body). For the demo."""
    response = app.dispatch(BoltRequest(body=body, headers=headers))
    return response.status, response.body


def run_socket_mode(app: App, app_token: str) -> None:
    """Serve over Socket Mode (no public URL needed); blocks until interrupted."""
    SocketModeHandler(app, app_token).start()
