"""Slack-facing listeners, one module per kind; each has `register(app)`.

Commands, actions, views and shortcuts ack at once in the request thread
(`handlers.reply.acknowledge`, or a modal's validation) and do their work afterwards as Bolt
lazy listeners on the app's worker pool. Events do their (short) work first and ack after it
succeeded, so that Slack delivers a failed one again (handlers.events).
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App, BoltContext

from bot.wiring import Deps
from handlers import actions, alerts, events, shortcuts, views
from handlers.commands import listener as commands

LISTENER_MODULES = (commands, actions, views, events, shortcuts, alerts)


def register_all(app: App, deps: Deps) -> None:
    """Give every listener the app's Deps (as `context["deps"]`) and register each kind."""

    @app.middleware
    def provide_deps(context: BoltContext, next: Callable[[], None]) -> None:
        context["deps"] = deps
        next()

    for module in LISTENER_MODULES:
        module.register(app)
