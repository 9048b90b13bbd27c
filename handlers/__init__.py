"""Slack-facing listeners, one module per kind; each has `register(app, deps)`."""

from __future__ import annotations

from typing import Any

from bot.service import Deps


def register_all(app: Any, deps: Deps) -> None:
    from handlers import actions, commands, events, followups, shortcuts, views

    for module in (commands, actions, views, events, shortcuts, followups):
        module.register(app, deps)
