"""Slack-facing listeners, one module per kind; each has `register(app, deps)`."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.incidents.service import Deps
from handlers.reply import just_ack

log = logging.getLogger("handlers")
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
                bolt_listener(ack=just_ack, lazy=[logged(fn)])
                return fn

            return decorate

        return listener


def logged(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Bolt reports a failed lazy listener in one line without its traceback; log it whole,
    with a reference. `functools.wraps` keeps Bolt's argument injection (it unwraps)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception:
            log.exception("unexpected error in %s ref=%s", fn.__name__, uuid.uuid4().hex[:8])
            return None

    return run


def register_all(app: Any, deps: Deps) -> None:
    from handlers import actions, events, followups, shortcuts, views
    from handlers.commands import listener as commands

    handler_app = AckFirst(app)
    for module in (commands, actions, views, events, shortcuts, followups):
        module.register(handler_app, deps)
