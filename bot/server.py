"""`serve`: migrate, then a production WSGI server (waitress) or Socket Mode."""

from __future__ import annotations

import logging
from collections.abc import Callable

from waitress import serve as waitress_serve

from bot.app import build_app, run_socket_mode
from bot.config import Settings
from bot.migrate import upgrade
from bot.scheduling.runner import run_forever, start_background
from bot.web import SERVER_OPTIONS, start_metrics_listener, wsgi_app
from bot.wiring import Deps, build_deps

log = logging.getLogger(__name__)


def serve(settings: Settings, *, host: str, port: int, scheduler: bool) -> int:
    """Run until interrupted. Several replicas may share one PostgreSQL database."""
    deps = build_deps(settings)
    upgrade(deps.db)
    app = build_app(deps)
    stop_metrics = start_metrics_listener(deps)  # only with INCIDENT_METRICS_PORT
    stop_scheduler = _start_scheduler(deps) if scheduler else None
    try:
        if settings.SLACK_APP_TOKEN:
            log.info("serving over Socket Mode")
            run_socket_mode(app, settings.SLACK_APP_TOKEN)
        else:
            log.info("serving HTTP on %s:%s", host, port)
            waitress_serve(
                wsgi_app(app, deps),
                host=host,
                port=port,
                threads=settings.INCIDENT_HTTP_THREADS,
                ident="incident-bot",
                **SERVER_OPTIONS,  # bodies over bot.web.MAX_BODY_BYTES: 413, unread
            )
    finally:
        stop_metrics()
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
