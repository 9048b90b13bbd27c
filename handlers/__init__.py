"""Slack-facing listeners, one module per kind; each has `register(app, deps)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.service import Deps
from handlers._reply import just_ack

LISTENER_KINDS = ("action", "command", "event", "message", "options", "shortcut", "view")


class AckFirst:
    """The Bolt app as handlers see it: every listener is acked in the request thread at once
    and runs afterwards as a Bolt lazy listener. Listeners whose ack carries an answer (modal
    validation errors) register `ack=` and `lazy=` explicitly, e.g. via handlers._reply.deferred.
    """

    def __init__(self, app: Any) -> None:
        self.raw = app

    def __getattr__(self, kind: str) -> Any:
        register = getattr(self.raw, kind)
        if kind not in LISTENER_KINDS:
            return register

        def listener(*args: Any, **kwargs: Any) -> Callable[..., Any]:
            bolt_listener = register(*args, **kwargs)

            def decorate(
                fn: Callable[..., Any] | None = None, *, ack: Any = None, lazy: Any = None
            ) -> Any:
                if fn is None:  # explicit form: listener(ack=..., lazy=[...])
                    return bolt_listener(ack=ack, lazy=lazy or [])
                bolt_listener(ack=just_ack, lazy=[fn])
                return fn

            return decorate

        return listener


def register_all(app: Any, deps: Deps) -> None:
    from handlers import actions, commands, events, followups, shortcuts, views

    handler_app = AckFirst(app)
    for module in (commands, actions, views, events, shortcuts, followups):
        module.register(handler_app, deps)
