"""Global and message shortcuts."""

from __future__ import annotations

from typing import Any

from bot.service import Deps


def register(app: Any, deps: Deps) -> None:
    """No shortcuts yet: the timeline-capture shortcut arrives with timeline capture."""
