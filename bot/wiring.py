"""The composition root: settings -> database -> Slack port -> Deps, for every entry point."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from bot.clock import utcnow
from bot.config import Settings
from bot.db import Database
from bot.outbox.worker import DeliveryWorker
from bot.slack.members import ChannelMembers
from bot.slack.people import People
from bot.slack.port import Notifier, slack_client


@dataclass
class Deps:
    """What every use case with side effects needs: settings, database, Slack port, clock;
    the process's memory of who Slack says is in which channel; and its delivery worker
    (started by the app; without it the sweep delivers)."""

    settings: Settings
    db: Database
    notifier: Notifier
    clock: Callable[[], datetime] = utcnow
    channel_members: ChannelMembers = field(init=False)
    delivery: DeliveryWorker | None = None
    people: People = field(init=False)  # users.info, cached: zones and names

    def __post_init__(self) -> None:
        self.channel_members = ChannelMembers(self.notifier)
        self.people = People(self.notifier, lambda: self.clock())

    def __deepcopy__(self, memo: dict[int, object]) -> Deps:
        # Bolt deep-copies the request context for lazy listeners; these are shared services.
        return self


def build_deps(settings: Settings, *, token: str | None = None) -> Deps:
    """The one place Deps are assembled from settings."""
    client = slack_client(token or settings.SLACK_BOT_TOKEN or "", settings.SLACK_API_URL)
    db = Database(settings.DATABASE_URL)
    delivery = DeliveryWorker(db, utcnow, claim_timeout=settings.INCIDENT_REMINDER_CLAIM_TIMEOUT)
    return Deps(settings=settings, db=db, notifier=Notifier(client), delivery=delivery)
