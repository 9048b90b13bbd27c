"""PagerDuty v3 webhooks (pure): the signature over the raw body, and the incident events.

PagerDuty signs the raw body with HMAC-SHA256 for each of the subscription's secrets and sends
them comma-separated in X-PagerDuty-Signature as `v1=<hex>`; during a secret rotation there
are several, and one match is enough (developer.pagerduty.com, "Verifying Signatures").
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from bot.alerts.payloads import (
    AlertState,
    Notification,
    PagerInfo,
    PayloadError,
    moment,
    need,
    obj,
    text,
)

TRIGGERED = ("incident.triggered", "incident.reopened", "incident.unacknowledged")
USED = (*TRIGGERED, "incident.acknowledged", "incident.resolved")


def signature(secret: str, raw: bytes) -> str:
    """The `v1=…` signature PagerDuty sends for this body and secret."""
    return "v1=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


def verify(secret: str, raw: bytes, header: str | None) -> bool:
    """True when any v1 signature in the header matches (constant-time comparisons)."""
    if not header:
        return False
    expected = signature(secret, raw)
    offered = [part.strip() for part in header.split(",") if part.strip().startswith("v1=")]
    # compare every offered signature, so the time taken does not say which one matched
    return sum(hmac.compare_digest(expected, sig) for sig in offered) > 0


def _summary(ref: Any) -> str:
    return str(ref.get("summary") or ref.get("id") or "") if isinstance(ref, dict) else ""


def event_type(body: Any) -> str:
    """The event's type, after checking the envelope's shape."""
    if not isinstance(body, dict):
        raise PayloadError("the body must be a JSON object")
    event = obj(body, "event", required=True)
    text(event, "id", "event.")
    return text(event, "event_type", "event.")


def notification(body: dict[str, Any]) -> Notification | None:
    """An incident event as a notification about one group (the PagerDuty incident); None
    for event types the bot does not use (annotations, priority changes, services…)."""
    event = body["event"]
    kind = event["event_type"]
    if kind not in USED:
        return None
    data = obj(event, "data", "event.", required=True)
    if data.get("type") != "incident":
        return None
    incident_id = text(data, "id", "event.data.")
    occurred = moment(need(event, "occurred_at", "event."), "event.occurred_at")
    created = moment(data.get("created_at"), "event.data.created_at") or occurred
    if occurred is None or created is None:
        raise PayloadError("`event.occurred_at` must be a real time")
    title = (text(data, "title", "event.data.", required=False) or incident_id)[:300]
    service = data.get("service") or {}
    urgency = str(data.get("urgency") or "")
    url = data.get("html_url") if isinstance(data.get("html_url"), str) else None
    resolved = kind == "incident.resolved"
    labels = {"service": _summary(service), "urgency": urgency}
    priority = _summary(data.get("priority"))
    if priority:
        labels["priority"] = priority
    acked = kind == "incident.acknowledged"
    alert = AlertState(
        fingerprint=incident_id[:64],
        name=title,
        status="resolved" if resolved else "firing",
        labels={k: v for k, v in labels.items() if v},
        annotations={},
        starts_at=min(created, occurred),
        ends_at=occurred if resolved else None,
        url=url,
    )
    return Notification(
        source="pagerduty",
        group_key=incident_id,
        dedupe_key=f"pagerduty:{event['id']}",
        title=title,
        status=alert.status,
        alerts=(alert,),
        labels=alert.labels,
        links=(("PagerDuty", url),) if url else (),
        severity=priority or None,
        pager=PagerInfo(
            service=_summary(service),
            service_id=str(service.get("id") or "") if isinstance(service, dict) else "",
            urgency=urgency,
            event_type=kind,
            acknowledged_by=_summary(event.get("agent")) or None if acked else None,
            acknowledged_at=occurred if acked else None,
        ),
    )
