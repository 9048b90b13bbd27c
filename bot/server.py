"""`serve`: migrate, then a production WSGI server (waitress), with Slack's requests coming
over HTTP (/slack/events) or over a Socket Mode connection."""

from __future__ import annotations

import logging
from collections.abc import Callable

from waitress import serve as waitress_serve

from bot.app import build_app
from bot.config import Settings
from bot.migrate import upgrade
from bot.scheduling.runner import run_forever, start_background
from bot.socket_mode import SocketModeClient
from bot.web import SERVER_OPTIONS, start_metrics_listener, wsgi_app
from bot.wiring import Deps, build_deps

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int, scheduler: bool) -> int:
    """Run until interrupted. Several replicas may share one PostgreSQL database."""
    deps = build_deps(settings)
    upgrade(deps.db)
    app = build_app(deps)
    socket_mode = None
    if settings.SLACK_APP_TOKEN:
        # A refused app token stops start-up here, before anything else starts.
        socket_mode = SocketModeClient(
            app, deps.notifier, settings.SLACK_APP_TOKEN, workers=settings.INCIDENT_HTTP_THREADS
        )
        socket_mode.start()
    stop_metrics = start_metrics_listener(deps)  # only with INCIDENT_METRICS_PORT
    stop_scheduler = _start_scheduler(deps) if scheduler else None
    try:
        log.info(
            "serving %s on %s:%s",
            "/healthz and /metrics (Slack over Socket Mode)" if socket_mode else "HTTP",
            host,
            port,
        )
        waitress_serve(
            wsgi_app(app, deps, slack_events=socket_mode is None),
            host=host,
            port=port,
            threads=settings.INCIDENT_HTTP_THREADS,
            ident="incident-bot",
            **SERVER_OPTIONS,  # bodies over bot.web.MAX_BODY_BYTES: 413, unread
        )
    finally:
        stop_metrics()
        if socket_mode is not None:
            socket_mode.stop()
        if stop_scheduler is not None:
            stop_scheduler()
    return 0


def _start_scheduler(deps: Deps) -> Callable[[], None]:
    """Reminders, digests and nudges in this process (see bot.scheduling)."""
    return start_background(deps)


def run_scheduler_only(settings: Settings) -> int:
    """`incident-bot scheduler`: migrate, then only the scheduler, in the foreground."""
    deps = build_deps(settings)
    upgrade(deps.db)
    run_forever(deps)
    return 0
