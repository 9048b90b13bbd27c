"""Helpers for the capture tests: an incident with a person's message, what was kept."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import select

from bot.models import TimelineEntry
from tests.support.harness import SlackHarness

PERSON_TEXT = "DB primary CPU at 100% since 13:02"


def kept(slack: SlackHarness, ts: str | None = None) -> list[TimelineEntry]:
    """Captured message entries (optionally of one message), with their revisions loaded."""
    with slack.deps.db.unit_of_work() as session:
        query = select(TimelineEntry).where(TimelineEntry.kind == "message")
        if ts is not None:
            query = query.where(TimelineEntry.message_ts == ts)
        rows = list(session.scalars(query.order_by(TimelineEntry.id)))
        for row in rows:
            row.revisions  # noqa: B018 - load before the session closes
        return rows


def shortcut_replies(slack: SlackHarness) -> list[dict[str, Any]]:
    """What the app posted to the message shortcuts' response_urls."""
    return [body for url_id, body in slack.fake.responses if url_id.startswith("shortcuts")]


def settle(slack: SlackHarness, method: str, count: int) -> None:
    """Wait until the app made `count` calls to `method` and finished all its work."""
    slack.fake.wait_for(lambda f: len(f.calls_to(method)) >= count)
    slack.idle()


def incident_with_message(slack: SlackHarness, **extra: Any) -> tuple[str, str]:
    """An incident channel (U1 declared, U2 invited) with one message by U2 an hour ago."""
    channel = slack.declare("Database overload")
    slack.fake.channels[channel].members.add("U2")
    ts = f"{time.time() - 3600:.6f}"
    slack.fake.add_message(channel, "U2", PERSON_TEXT, ts=ts, **extra)
    return channel, ts
