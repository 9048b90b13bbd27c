"""Shared set-up for the follow-up and scheduling tests (no tests here).

Everything is real: the database (SQLite and PostgreSQL), our Notifier and slack_sdk client,
and Slack answered over HTTP by FakeSlack.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from bot.config import Settings, load_settings
from bot.db import Database
from bot.incidents import lifecycle as incidents
from bot.models import ActionItem, Incident, Outbox
from bot.scheduling.senders import courier
from bot.slack.port import Notifier, slack_client
from bot.wiring import Deps
from tests.support.fakeslack import FakeSlack


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def make_settings(db: Database, fake: FakeSlack, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": db.url,
        "OPENAI_API_KEY": None,
        "INCIDENT_ANNOUNCE_CHANNEL": None,
        # Stakeholder-update reminders have their own tests (test_update_cadence.py); here
        # they would only add DMs to what reminders and nudges are counted by.
        **{f"INCIDENT_UPDATE_EVERY_SEV{n}": "off" for n in (1, 2)},
    }
    values.update(overrides)
    return load_settings(**values)


def make_deps(db: Database, fake: FakeSlack, now: datetime, **overrides: Any) -> Deps:
    """Deps whose Slack client does no retries of its own: the outbox's retries are tested."""
    client = slack_client(fake.bot_token, fake.api_url, retries=0)
    return Deps(make_settings(db, fake, **overrides), db, Notifier(client), Clock(now))


def people(fake: FakeSlack) -> None:
    for uid in ("U1", "U2", "U3"):
        fake.add_user(uid)


def open_incident(
    db: Database,
    fake: FakeSlack,
    now: datetime,
    *,
    number: int = 1,
    severity: str = "sev2",
    private: bool = False,
    commander: str = "U1",
) -> Incident:
    """An incident whose channel exists in the fake (declared at `now`)."""
    channel = fake.add_channel(f"inc-{number}", is_private=private, members=[commander])
    with db.unit_of_work() as session:
        return incidents.declare(
            session,
            now=now,
            number=number,
            title=f"Checkout errors {number}",
            severity=severity,
            private=private,
            channel_id=channel,
            channel_name=f"inc-{number}",
            declared_by=commander,
        )


def add_item(
    db: Database,
    incident: Incident | None,
    *,
    now: datetime,
    text: str = "Add a canary",
    owner: str | None = "U2",
    due: date | None = None,
    status: str = "open",
) -> int:
    with db.unit_of_work() as session:
        item = ActionItem(
            incident_id=incident.id if incident else None,
            text=text,
            owner=owner,
            due=due,
            created_by="U1",
            created_at=now,
            status=status,
            closed_at=now if status == "done" else None,
        )
        session.add(item)
        session.flush()
        return item.id


def outbox_rows(db: Database, kind: str | None = None) -> list[Outbox]:
    with db.unit_of_work() as session:
        query = select(Outbox).order_by(Outbox.id)
        if kind:
            query = query.where(Outbox.kind == kind)
        return list(session.scalars(query))


def dms(fake: FakeSlack) -> list[Any]:
    """Messages the bot posted into direct-message conversations."""
    opened = {c.response["channel"]["id"] for c in fake.calls_to("conversations.open") if c.ok}
    return [c for c in fake.calls_to("chat.postMessage") if c.ok and c.args["channel"] in opened]


def deliver(deps: Deps) -> list[str]:
    """Send what changes recorded in the outbox (what the app's delivery worker does), once."""
    return courier(deps).sweep(deps.clock(), "test-delivery", claim_timeout=600)


def posts_in(fake: FakeSlack, channel: str) -> list[Any]:
    return [c for c in fake.calls_to("chat.postMessage") if c.ok and c.args["channel"] == channel]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
