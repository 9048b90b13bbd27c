"""Events API listeners."""

from __future__ import annotations

from typing import Any

from bot.service import Deps


def register(app: Any, deps: Deps) -> None:
    @app.event("message")
    def message(ack: Any) -> None:
        # Ordinary conversation needs nothing from us; acking keeps Bolt quiet.
        ack()
