"""One typed `/incident` command and the answer an interpreter gives back."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.incidents.service import IncidentService
from handlers.commands.grammar import Command


@dataclass
class Invocation:
    """Who typed what, where; `trigger_id` lets an interpreter open a modal instead."""

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
    view: View | None = None  # a modal to open instead of replying

    @property
    def empty(self) -> bool:
        return not self.text and not self.blocks and self.view is None
