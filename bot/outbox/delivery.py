"""Sending what is due: claim rows, send each through the Notifier, then mark it sent.

Exactly once, within a bounded window: a row is marked sent only after Slack accepted it. A
sender killed between Slack accepting and the mark leaves a claim that goes stale after
INCIDENT_REMINDER_CLAIM_TIMEOUT, and the row is sent again — the only way a duplicate happens.
"""

from __future__ import annotations

import base64
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.errors import SlackFailure
from bot.followups import messages as followup_blocks
from bot.incidents.service import Deps
from bot.models import ActionItem, Incident, Outbox
from bot.outbox import store as outbox
from bot.scheduling.cadence import retry_delay
from bot.telemetry import REMINDERS_SENT

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
# Slack answers that retrying will not change: report at once.
PERMANENT = {
    "user_not_found",
    "channel_not_found",
    "cannot_dm_bot",
    "messages_tab_disabled",
    "user_disabled",
    "account_inactive",
    "is_archived",
    "not_in_channel",
    "restricted_action",
    "missing_scope",
}
MAX_BATCHES = 1000


class Moot(Exception):
    """The message no longer applies (item closed, owner changed, incident updated)."""


@dataclass
class Sender:
    deps: Deps
    now: datetime

    def send(self, row: Outbox) -> str:
        """Deliver one row; returns a description of what was sent."""
        kind = row.kind
        if kind == "reminder":
            return self._reminder(row)
        if kind == "nudge":
            return self._nudge(row)
        if kind == "digest":
            return self._digest(row)
        if kind == "announce":
            from bot.incidents import announcements

            return announcements.post(self.deps, row)
        raise Moot(f"unknown outbox kind {kind!r}")

    def _reminder(self, row: Outbox) -> str:
        p = row.payload
        zone = self.deps.settings.zone
        with self.deps.db.unit_of_work() as session:
            item = session.get(ActionItem, p["item"])
            if item is None or item.status != "open":
                raise Moot("item closed")
            assign = p["stage"].startswith("assign")
            if (item.owner is not None) == assign or (not assign and item.owner != p["recipient"]):
                raise Moot("owner changed")
            if "due" in p and p["due"] != (item.due.isoformat() if item.due else None):
                raise Moot("due date changed")
            text, body = followup_blocks.reminder(
                item, p["stage"], self.now.astimezone(zone).date()
            )
        self.deps.notifier.dm(p["recipient"], text, body)
        return f"reminder {p['stage']} AI-{p['item']} to {p['recipient']}"

    def _nudge(self, row: Outbox) -> str:
        p = row.payload
        with self.deps.db.unit_of_work() as session:
            incident = session.get(Incident, p["incident"])
            if incident is None or not incident.is_open:
                raise Moot("incident resolved")
            if p["reason"] == "quiet":
                if incident.last_activity_at.isoformat() != p["last_activity"]:
                    raise Moot("incident updated")
                quiet = int((self.now - incident.last_activity_at).total_seconds())
            else:
                quiet = int((self.now - incident.declared_at).total_seconds())
            text = followup_blocks.nudge(incident.number, incident.commander, p["reason"], quiet)
            channel = incident.channel_id
        self.deps.notifier.post(channel, text)
        return f"nudge {p['reason']} incident {incident.number}"

    def _digest(self, row: Outbox) -> str:
        """Parts go out in order; progress is saved after each so a retry continues."""
        payload = dict(row.payload)
        parts: list[dict[str, Any]] = payload["parts"]
        channel = row.channel or ""
        for index in range(int(payload.get("sent_parts", 0)), len(parts)):
            part = parts[index]
            if part.get("type") == "file":
                self.deps.notifier.upload_file(
                    channel,
                    part["filename"],
                    base64.b64decode(part["content_b64"]),
                    title=part["title"],
                    initial_comment=part.get("comment"),
                )
            else:
                self.deps.notifier.post(channel, part["text"], Block.parse_all(part["blocks"]))
            payload["sent_parts"] = index + 1
            outbox.save_progress(self.deps.db, row.id, payload)
        return f"digest {payload.get('week')} to {channel} ({len(parts)} parts)"


def _retry_after(exc: BaseException) -> int | None:
    cause = exc.__cause__
    if isinstance(cause, SlackApiError):
        headers = cause.response.headers or {}
        value = headers.get("Retry-After") or headers.get("retry-after")
        if isinstance(value, list):
            value = value[0] if value else None
        try:
            return int(value) if value is not None else None
        except ValueError:
            return None
    return None


def sweep(deps: Deps, now: datetime, worker: str, *, limit: int = 200) -> list[str]:
    """Claim and send everything due at `now`; never raises for a single row's failure."""
    timeout = deps.settings.seconds("INCIDENT_REMINDER_CLAIM_TIMEOUT")
    # Stop well inside the claim timeout, so no other sender takes over a row we still hold.
    deadline = time.monotonic() + timeout / 2
    sender = Sender(deps, now)
    sent: list[str] = []
    for _ in range(MAX_BATCHES):
        rows = outbox.claim(deps.db, now=now, worker=worker, claim_timeout=timeout, limit=limit)
        if not rows:
            break
        for index, row in enumerate(rows):
            if time.monotonic() > deadline:
                outbox.unclaim(deps.db, [r.id for r in rows[index:]], worker=worker)
                log.warning(
                    "sweep ran out of time; %d rows left for the next one", len(rows) - index
                )
                return sent
            done = deliver(deps, sender, row, now)
            if done:
                sent.append(done)
    return sent


def deliver(deps: Deps, sender: Sender, row: Outbox, now: datetime) -> str | None:
    """Send one claimed row and record the outcome: sent, moot, retry later, or failed."""
    try:
        what = sender.send(row)
    except Moot as exc:
        outbox.mark_sent(deps.db, row.id, now=now, note=f"skipped: {exc}")
        return None
    except SlackFailure as exc:
        code = getattr(exc, "code", "error")
        _failed(deps, row, now, code, permanent=code in PERMANENT, retry_after=_retry_after(exc))
        return None
    except Exception as exc:  # a bug or an outage must not stop the other rows
        log.exception("sending outbox row %s (%s) failed", row.id, row.dedupe_key)
        _failed(deps, row, now, type(exc).__name__, permanent=False, retry_after=None)
        return None
    outbox.mark_sent(deps.db, row.id, now=now)
    REMINDERS_SENT.labels(kind=row.kind).inc()
    log.info("sent %s", what)
    return what


def _failed(
    deps: Deps, row: Outbox, now: datetime, code: str, *, permanent: bool, retry_after: int | None
) -> None:
    attempts = row.attempts + 1
    give_up = permanent or attempts >= MAX_ATTEMPTS
    retry_at = None if give_up else now + timedelta(seconds=retry_delay(attempts, retry_after))
    outbox.release(deps.db, row.id, error=code, retry_at=retry_at, attempts=attempts)
    if not give_up:
        log.warning("%s failed (%s); retry %d at %s", row.dedupe_key, code, attempts, retry_at)
        return
    log.error("%s failed for good after %d attempts: %s", row.dedupe_key, attempts, code)
    if row.kind == "reminder":
        _report_undelivered(deps, row, code)


def _report_undelivered(deps: Deps, row: Outbox, code: str) -> None:
    """Tell the incident's channel (and so its commander) that a reminder could not be DMed."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        item = session.get(ActionItem, p["item"])
        incident = item.incident if item is not None else None
        if incident is None:
            return
        channel, commander = incident.channel_id, incident.commander
    from bot.slack.port import SLACK_ERROR_HINTS

    why = SLACK_ERROR_HINTS.get(code, f"Slack answered `{code}`")
    text = followup_blocks.delivery_problem(
        f"a reminder about AI-{p['item']}", p["recipient"], commander, why
    )
    try:
        deps.notifier.post(channel, text)
    except SlackFailure:
        log.warning("could not report the undelivered reminder %s either", row.dedupe_key)
