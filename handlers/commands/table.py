"""`/incident` subcommands: parse the arguments, call a service, return what to show.

Feature modules register subcommands with `@subcommand(name)`; handlers/commands.py only
acks, calls `run`, and sends the Reply.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block

from bot.errors import IncidentError
from bot.incidents.service import IncidentService
from handlers.commands.grammar import Command, parse


@dataclass
class Invocation:
    """One typed command: who, where, and what they typed."""

    command: Command
    user: str
    channel: str
    trigger_id: str | None
    service: IncidentService


@dataclass
class Reply:
    """An ephemeral answer to the person who typed (changes are posted by the service)."""

    text: str = ""
    blocks: list[Block] = field(default_factory=list)
    view: Any = None  # a modal to open instead of replying

    @property
    def empty(self) -> bool:
        return not self.text and not self.blocks and self.view is None


Handler = Callable[[Invocation], Reply]
_REGISTRY: dict[str, Handler] = {}
FEATURE_MODULES = (
    "handlers.commands.lifecycle",
    "handlers.commands.stats",
    "handlers.commands.followups",
    "handlers.commands.postmortem",
)


def subcommand(*names: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for name in names:
            _REGISTRY[name] = fn
        return fn

    return register


def registry() -> dict[str, Handler]:
    for module in FEATURE_MODULES:
        importlib.import_module(module)
    return _REGISTRY


def run(
    text: str, *, user: str, channel: str, trigger_id: str | None, service: IncidentService
) -> Reply:
    """Parse and run one `/incident` command; IncidentError propagates for the handler."""
    command = parse(text)
    handler = registry().get(command.name)
    if handler is None:
        raise IncidentError(f"`{command.name}` is not available yet. Try `/incident help`.")
    return handler(Invocation(command, user, channel, trigger_id, service))
