"""What workflows send from the outbox: reminders when due, failure reports, and webhooks
(HTTP POST of the incident as JSON, signed with HMAC-SHA256, retried with backoff)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from datetime import datetime

from bot.errors import SlackFailure
from bot.incidents.lifecycle import add_entry
from bot.models import Incident, Outbox
from bot.outbox import store
from bot.outbox.delivery import Moot
from bot.playbook.templates import render
from bot.wiring import Deps
from bot.workflows.matching import public_fields

log = logging.getLogger(__name__)
SIGNATURE = "X-Incident-Bot-Signature"
TIMEOUT = 10  # seconds per webhook attempt
USER_AGENT = "incident-bot-workflows/1"


def send_report(deps: Deps, row: Outbox, now: datetime) -> str:
    """A run's failed steps, once, in the incident channel."""
    deps.notifier.post(row.channel or "", row.payload["text"])
    return f"workflow failure report for incident row {row.payload['incident']}"


def send_reminder(deps: Deps, row: Outbox, now: datetime) -> str:
    """A workflow's reminder, when due (unless the incident is resolved by then)."""
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, row.payload["incident"])
        if incident is None or not incident.is_open:
            raise Moot("incident resolved")
        text = render(row.payload["text"], public_fields(incident, {}))
    target = row.payload["to"]
    if target.startswith(("U", "W")):
        deps.notifier.dm(target, f":alarm_clock: Incident {incident.number}: {text}")
    else:
        deps.notifier.post(target, f":alarm_clock: {text}")
    return f"workflow reminder for incident {incident.number}"


def signature(secret: str, body: bytes) -> str:
    """`sha256=<hex>` of the body, keyed with the secret (as GitHub signs its webhooks)."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def send_webhook(deps: Deps, row: Outbox, now: datetime) -> str:
    """POST the body; anything but 2xx is a failure the outbox retries with backoff. The
    first failure is reported in the incident channel (once); the give-up on the timeline."""
    url, body = row.payload["url"], row.payload["body"].encode()
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    secret = deps.settings.INCIDENT_WORKFLOW_WEBHOOK_SECRET
    if secret:
        headers[SIGNATURE] = signature(secret, body)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        _first_failure(deps, row, f"could not be reached ({exc})")
        raise SlackFailure(f"webhook {url} unreachable", "webhook_unreachable") from exc
    if not 200 <= status < 300:
        _first_failure(deps, row, f"answered HTTP {status}")
        raise SlackFailure(f"webhook {url} answered {status}", f"http_{status}")
    return f"webhook {url} answered {status}"


def _first_failure(deps: Deps, row: Outbox, what: str) -> None:
    """Say it in the channel once (the first failure), and that it is being retried: queued
    in the channel's lane (paced like every post there), keyed to this webhook row."""
    text = (
        f":warning: Workflow `{row.payload['step']}`: webhook {row.payload['url']} {what}; "
        "retrying with backoff."
    )
    now = deps.clock()
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, row.payload["incident"])
        channel = incident.channel_id if incident else None
        if not channel:
            return
        payload = {"incident": row.payload["incident"], "text": text}
        key = f"wfwebhook:{row.id}"
        store.enqueue(session, [store.row("workflow_report", key, channel, payload, now)])
    if deps.delivery is not None:
        deps.delivery.kick(channel)


def webhook_gave_up(deps: Deps, row: Outbox, code: str) -> None:
    """The last attempt failed: recorded on the timeline."""
    now = deps.clock()
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, row.payload["incident"])
        if incident is None:
            return
        text = f"Webhook {row.payload['url']} gave up after {row.attempts + 1} attempts ({code})"
        add_entry(
            session,
            incident,
            at=now,
            kind="note",
            text=text,
            author=None,
            now=now,
            source="workflow",
        )
