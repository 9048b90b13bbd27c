"""Sending action-item reminders, and telling the channel when one cannot be delivered."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.errors import SlackFailure
from bot.followups import messages
from bot.models import ActionItem, Outbox
from bot.outbox.delivery import Moot
from bot.slack.people import known
from bot.slack.port import hint
from bot.wiring import Deps

log = logging.getLogger(__name__)


def send_reminder(deps: Deps, row: Outbox, now: datetime) -> str:
    """DM a planned reminder, unless the item changed since it was planned."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        item = session.get(ActionItem, p["item"])
        if item is None or item.status != "open":
            raise Moot("item closed")
        assign = p["stage"].startswith("assign")
        if (item.owner is not None) == assign or (not assign and item.owner != p["recipient"]):
            raise Moot("owner changed")
        if "due" in p and p["due"] != (item.due.isoformat() if item.due else None):
            raise Moot("due date changed")
        # "due tomorrow" / "overdue by 2 days" as the recipient's own calendar says
        person = known(session, [p["recipient"]]).get(p["recipient"])
        zone = (person.zone if person else None) or deps.settings.zone
        text, body = messages.reminder(item, p["stage"], now.astimezone(zone).date())
    deps.notifier.dm(p["recipient"], text, body)
    return f"reminder {p['stage']} AI-{p['item']} to {p['recipient']}"


def report_undelivered(deps: Deps, row: Outbox, code: str) -> None:
    """Tell the incident's channel (and so its commander) that a reminder could not be DMed."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        item = session.get(ActionItem, p["item"])
        incident = item.incident if item is not None else None
        if incident is None:
            return
        channel, commander = incident.channel_id, incident.commander
    text = messages.delivery_problem(
        f"a reminder about AI-{p['item']}", p["recipient"], commander, hint(code)
    )
    try:
        deps.notifier.post(channel, text)
    except SlackFailure:
        log.warning("could not report the undelivered reminder %s either", row.dedupe_key)
