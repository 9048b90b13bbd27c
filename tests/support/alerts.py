"""Sending alerts to the running app the way Alertmanager, Grafana, PagerDuty and scripts do."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.db import Database
from bot.models import Alert, AlertGroup, AlertNotification

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "alerts"
TOKEN = "test-webhook-token-0123456789"
# go-pagerduty's published test secret: its signed example body must verify with it.
PD_SECRET = "lDQHScfUeXUKaQRNF+8XIiDKZ7XX3itBAYzwU0TARw8lJqRnkKl2iB1anSb0Z+IK"
DEFAULT = object()


def fixture(name: str) -> bytes:
    """A payload from tests/fixtures/alerts, byte for byte (see SOURCES.md there)."""
    return (FIXTURES / name).read_bytes()


def fixture_json(name: str) -> Any:
    return json.loads(fixture(name))


def pd_signature(raw: bytes, secret: str = PD_SECRET) -> str:
    return "v1=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    text: str
    headers: dict[str, str]


class AlertSender:
    """POSTs to /hooks/* of the app at `base_url`."""

    def __init__(self, base_url: str, token: str = TOKEN) -> None:
        self.base_url = base_url
        self.token = token

    def post(
        self,
        path: str,
        body: bytes | dict[str, Any] | list[Any],
        *,
        token: Any = DEFAULT,
        headers: dict[str, str] | None = None,
        method: str = "POST",
    ) -> Answer:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent = {"Content-Type": "application/json", **(headers or {})}
        bearer = self.token if token is DEFAULT else token
        if bearer is not None:
            sent["Authorization"] = f"Bearer {bearer}"
        request = urllib.request.Request(
            self.base_url + path, raw if method == "POST" else None, sent, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, text, got = answer.status, answer.read().decode(), dict(answer.headers)
        except urllib.error.HTTPError as err:
            status, text, got = err.code, err.read().decode(), dict(err.headers)
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = {}
        return Answer(status, parsed, text, {k.lower(): v for k, v in got.items()})

    def alertmanager(self, body: bytes | dict[str, Any], **kw: Any) -> Answer:
        return self.post("/hooks/alertmanager", body, **kw)

    def grafana(self, body: bytes | dict[str, Any], **kw: Any) -> Answer:
        return self.post("/hooks/grafana", body, **kw)

    def generic(self, body: bytes | dict[str, Any], **kw: Any) -> Answer:
        return self.post("/hooks/generic", body, **kw)

    def pagerduty(
        self, raw: bytes, *, signature: str | object | None = DEFAULT, secret: str = PD_SECRET
    ) -> Answer:
        sig = pd_signature(raw, secret) if signature is DEFAULT else signature
        headers = {"X-PagerDuty-Signature": str(sig)} if sig is not None else {}
        return self.post("/hooks/pagerduty", raw, token=None, headers=headers)


def am_alert(
    name: str, status: str = "firing", *, at: datetime | None = None, **labels: str
) -> dict[str, Any]:
    """One alert as Alertmanager puts it in a webhook payload."""
    start = at or datetime.now(UTC) - timedelta(minutes=5)
    all_labels = {"alertname": name, **labels}
    fingerprint = hashlib.sha256(json.dumps(all_labels, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "status": status,
        "labels": all_labels,
        "annotations": {"summary": f"{name} is {status}"},
        "startsAt": start.isoformat().replace("+00:00", "Z"),
        "endsAt": (
            (start + timedelta(minutes=3)).isoformat().replace("+00:00", "Z")
            if status == "resolved"
            else "0001-01-01T00:00:00Z"
        ),
        "generatorURL": f"http://prometheus.example:9090/graph?g0.expr={name}",
        "fingerprint": fingerprint,
    }


def am_payload(group: str, alerts: list[dict[str, Any]], **common: str) -> dict[str, Any]:
    """A version 4 Alertmanager payload for group `group` (its groupLabels' alertname)."""
    base = copy.deepcopy(json.loads(fixture("alertmanager/firing.json")))
    firing = any(a["status"] == "firing" for a in alerts)
    base.update(
        status="firing" if firing else "resolved",
        alerts=alerts,
        groupLabels={"alertname": group},
        commonLabels={"alertname": group, **common},
        commonAnnotations={},
        groupKey=f'{{}}:{{alertname="{group}"}}',
    )
    return base


def settle(db: Database, timeout: float = 60.0) -> None:
    """Wait until every accepted notification has been applied to its group."""
    deadline = time.monotonic() + timeout
    while True:
        with db.unit_of_work() as session:
            waiting = session.scalar(
                select(func.count())
                .select_from(AlertNotification)
                .where(AlertNotification.processed_at.is_(None))
            )
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{waiting} notifications still not applied after {timeout}s")
        time.sleep(0.02)


def changed_by(db: Database) -> list[int]:
    """How many alerts each notification changed, in the order received (after settling)."""
    settle(db)
    with db.unit_of_work() as session:
        return list(
            session.scalars(select(AlertNotification.changed).order_by(AlertNotification.id))
        )


def counts(db: Database) -> dict[str, int]:
    """Rows of the alert tables once every accepted notification is applied."""
    settle(db)
    with db.unit_of_work() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("groups", AlertGroup),
                ("alerts", Alert),
                ("notifications", AlertNotification),
            )
        }


def start_alerting(make_slack: Any, fake: Any, **overrides: Any) -> tuple[Any, AlertSender, str]:
    """The app with alert endpoints on: (harness, sender, the triage channel's id)."""
    channel = fake.add_channel("alerts", members=["UBOT", "U1", "U2"])
    settings = {
        "INCIDENT_WEBHOOK_TOKEN": TOKEN,
        "INCIDENT_PAGERDUTY_SECRET": PD_SECRET,
        "INCIDENT_ALERT_CHANNEL": channel,
        **overrides,
    }
    harness = make_slack(**settings)
    return harness, AlertSender(harness.url), channel


def triage_posts(fake: Any, channel: str) -> list[Any]:
    """Accepted top-level chat.postMessage calls in a channel (named by id or #name)."""
    return [
        c
        for c in fake.calls_to("chat.postMessage")
        if c.ok and c.response.get("channel") == channel and not c.args.get("thread_ts")
    ]


def message_text(fake: Any, channel: str, ts: str) -> str:
    """A stored message's text and blocks as one string (what a reader sees, roughly)."""
    with fake.lock:
        found = fake.channels[channel].find(ts)
        return json.dumps(found) if found else ""
