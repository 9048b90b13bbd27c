"""What senders post, read into one shape (pure): Alertmanager v4, Grafana, the generic hook.

Every problem is a PayloadError whose message is the one line the sender gets with its 400.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from bot.alert_models import SENDERS

STATUSES = ("firing", "resolved")
SOURCES = SENDERS
SOURCE_NAMES = {
    "alertmanager": "Alertmanager",
    "grafana": "Grafana",
    "pagerduty": "PagerDuty",
    "generic": "webhook",
}
KEY_MAX = 2000  # a group key longer than this is refused (Alertmanager's are a few hundred)
TEXT_MAX = 300


class PayloadError(ValueError):
    """The body is not what this endpoint takes; the message says what is wrong."""


@dataclass(frozen=True)
class AlertState:
    """One alert as this notification reports it."""

    fingerprint: str
    name: str
    status: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    url: str | None

    @property
    def event_at(self) -> datetime:
        """When this state began: the start when firing, the end when resolved."""
        return (self.ends_at or self.starts_at) if self.status == "resolved" else self.starts_at


@dataclass(frozen=True)
class PagerInfo:
    """PagerDuty specifics: service, urgency, and who acknowledged (when this is an ack)."""

    service: str
    service_id: str
    urgency: str
    event_type: str
    acknowledged_by: str | None = None
    acknowledged_at: datetime | None = None


@dataclass(frozen=True)
class Notification:
    """One delivery from a sender, about one alert group."""

    source: str
    group_key: str
    dedupe_key: str
    title: str
    status: str
    alerts: tuple[AlertState, ...]
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    links: tuple[tuple[str, str], ...] = ()
    severity: str | None = None
    pager: PagerInfo | None = None
    truncated: int = 0

    @property
    def key_hash(self) -> str:
        return hashlib.sha256(self.group_key.encode()).hexdigest()


def body_key(source: str, raw: bytes) -> str:
    """The notification's idempotency key: the same bytes again are the same notification."""
    return f"{source}:{hashlib.sha256(raw).hexdigest()}"


# --- typed reads with messages fit for a 400 ---------------------------------------------------
def need(body: Mapping[str, Any], key: str, where: str = "") -> Any:
    if key not in body or body[key] is None:
        raise PayloadError(f"`{where}{key}` is missing")
    return body[key]


def text(body: Mapping[str, Any], key: str, where: str = "", *, required: bool = True) -> str:
    value = need(body, key, where) if required else body.get(key)
    if value is None:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise PayloadError(f"`{where}{key}` must be a non-empty string")
    return value


def obj(body: Mapping[str, Any], key: str, where: str = "", *, required: bool = False) -> dict:
    value = need(body, key, where) if required else body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"`{where}{key}` must be an object")
    return value


def string_map(body: Mapping[str, Any], key: str, where: str = "") -> dict[str, str]:
    """An object of string values (labels, annotations); numbers and booleans become text."""
    out: dict[str, str] = {}
    for name, value in obj(body, key, where).items():
        if isinstance(value, bool | int | float) and not isinstance(value, str):
            value = str(value).lower() if isinstance(value, bool) else str(value)
        if not isinstance(value, str):
            raise PayloadError(f"`{where}{key}.{name}` must be a string")
        out[str(name)] = value
    return out


def moment(value: Any, what: str) -> datetime | None:
    """RFC 3339 / ISO-8601 with an offset; Go's zero time (0001-01-01) means unset."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise PayloadError(f"`{what}` must be an RFC 3339 time string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise PayloadError(f"`{what}` is not an RFC 3339 time: {value[:40]!r}") from None
    if parsed.tzinfo is None:
        raise PayloadError(f"`{what}` needs an offset or Z: {value[:40]!r}")
    return None if parsed.year <= 1 else parsed.astimezone(UTC)


def status_of(body: Mapping[str, Any], where: str = "") -> str:
    value = need(body, "status", where)
    if value not in STATUSES:
        raise PayloadError(f"`{where}status` must be firing or resolved, not {str(value)[:20]!r}")
    return str(value)


def fingerprint_of(labels: Mapping[str, str]) -> str:
    """Alertmanager's own fingerprint when absent: a stable hash of the sorted labels."""
    joined = "\x00".join(f"{k}\x01{v}" for k, v in sorted(labels.items()))
    return hashlib.sha256(joined.encode()).hexdigest()[:16]


def group_title(labels: Mapping[str, str], annotations: Mapping[str, str], names: list[str]) -> str:
    """What a person reads first: the summary annotation, else the alert names."""
    summary = annotations.get("summary") or annotations.get("title")
    if summary:
        return summary[:TEXT_MAX]
    distinct = sorted(set(names)) or ["alert"]
    head = ", ".join(distinct[:3]) + (f" and {len(distinct) - 3} more" if len(distinct) > 3 else "")
    where = [f"{k}={v}" for k, v in labels.items() if k != "alertname"][:2]
    return (head + (f" ({', '.join(where)})" if where else ""))[:TEXT_MAX]


# --- Alertmanager (v4) and Grafana: the same template data ----------------------------------
def _prom_alert(raw: Any, index: int) -> AlertState:
    where = f"alerts[{index}]."
    if not isinstance(raw, dict):
        raise PayloadError(f"`alerts[{index}]` must be an object")
    labels = string_map(raw, "labels", where)
    status = status_of(raw, where)
    starts = moment(need(raw, "startsAt", where), f"{where}startsAt")
    if starts is None:
        raise PayloadError(f"`{where}startsAt` must be a real time")
    url = raw.get("generatorURL")
    return AlertState(
        fingerprint=str(raw.get("fingerprint") or fingerprint_of(labels))[:64],
        name=labels.get("alertname") or "alert",
        status=status,
        labels=labels,
        annotations=string_map(raw, "annotations", where),
        starts_at=starts,
        ends_at=moment(raw.get("endsAt"), f"{where}endsAt") if status == "resolved" else None,
        url=url if isinstance(url, str) and url.startswith(("http://", "https://")) else None,
    )


def _prom(body: Any, source: str, raw: bytes, key_prefix: str = "") -> Notification:
    if not isinstance(body, dict):
        raise PayloadError("the body must be a JSON object")
    group_key = text(body, "groupKey")
    if len(group_key) > KEY_MAX:
        raise PayloadError(f"`groupKey` is longer than {KEY_MAX} characters")
    status = status_of(body)
    alerts_raw = need(body, "alerts")
    if not isinstance(alerts_raw, list):
        raise PayloadError("`alerts` must be a list")
    alerts = tuple(_prom_alert(a, i) for i, a in enumerate(alerts_raw))
    labels = string_map(body, "commonLabels")
    annotations = string_map(body, "commonAnnotations")
    group_labels = string_map(body, "groupLabels")
    links = [("source", a.url) for a in alerts if a.url][:1]
    external = body.get("externalURL")
    if isinstance(external, str) and external.startswith(("http://", "https://")):
        links.append((SOURCE_NAMES[source], external))
    truncated = body.get("truncatedAlerts") or 0
    return Notification(
        source=source,
        group_key=key_prefix + group_key,
        dedupe_key=body_key(source, raw),
        title=group_title(group_labels or labels, annotations, [a.name for a in alerts]),
        status=status,
        alerts=alerts,
        labels=labels,
        annotations=annotations,
        links=tuple(links),
        severity=labels.get("severity"),
        truncated=truncated if isinstance(truncated, int) else 0,
    )


def alertmanager(body: Any, raw: bytes) -> Notification:
    """Alertmanager's webhook receiver, payload version 4."""
    if isinstance(body, dict) and body.get("version") != "4":
        got = body.get("version")
        raise PayloadError(f'`version` must be "4" (Alertmanager webhook payload v4), not {got!r}')
    return _prom(body, "alertmanager", raw)


def grafana(body: Any, raw: bytes) -> Notification:
    """Grafana Alerting's webhook contact point (Alertmanager's shape, plus orgId)."""
    org = body.get("orgId") if isinstance(body, dict) else None
    return _prom(body, "grafana", raw, key_prefix=f"org{org}/" if org is not None else "")


def generic(body: Any, raw: bytes, now: datetime) -> Notification:
    """`{"title", "status", "dedup_key", "severity", "started_at", "url", "labels"}`."""
    if not isinstance(body, dict):
        raise PayloadError("the body must be a JSON object")
    title = text(body, "title")[:TEXT_MAX]
    status = status_of(body)
    key = text(body, "dedup_key")
    if len(key) > KEY_MAX:
        raise PayloadError(f"`dedup_key` is longer than {KEY_MAX} characters")
    severity = text(body, "severity", required=False) or None
    labels = string_map(body, "labels")
    if severity:
        labels.setdefault("severity", severity)
    url = text(body, "url", required=False) or None
    if url and not url.startswith(("http://", "https://")):
        raise PayloadError("`url` must be an http(s) URL")
    started = moment(body.get("started_at"), "started_at") or now
    alert = AlertState(
        fingerprint=hashlib.sha256(key.encode()).hexdigest()[:16],
        name=title,
        status=status,
        labels=labels,
        annotations={},
        starts_at=started,
        ends_at=now if status == "resolved" else None,
        url=url,
    )
    return Notification(
        source="generic",
        group_key=key,
        dedupe_key=body_key("generic", raw),
        title=title,
        status=status,
        alerts=(alert,),
        labels=labels,
        links=(("source", url),) if url else (),
        severity=severity,
    )
