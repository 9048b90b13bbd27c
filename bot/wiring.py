"""Wiring: settings -> database -> Slack client -> Deps. Used by every CLI command."""

from __future__ import annotations

from bot.config import Settings
from bot.db import Database
from bot.incidents.service import Deps
from bot.slack.port import Notifier, slack_client


def build_deps(settings: Settings, *, token: str | None = None) -> Deps:
    """The one place Deps are assembled from settings."""
    client = slack_client(token or settings.SLACK_BOT_TOKEN or "", settings.SLACK_API_URL)
    return Deps(settings=settings, db=Database(settings.DATABASE_URL), notifier=Notifier(client))
