"""How alerts read in Slack and on the timeline (pure): names, the labels that matter, notices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.alerts.payloads import SOURCE_NAMES

# Labels people look for first; others follow alphabetically. Plumbing labels are left out.
FIRST = ("severity", "service", "team", "namespace", "cluster", "instance", "job", "env")
HIDDEN = frozenset({"alertname", "prometheus", "receive", "__name__", "prometheus_replica"})
LABELS_SHOWN = 4


@dataclass(frozen=True)
class Transition:
    """An alert that started firing or resolved, as a notification reported it."""

    name: str
    status: str
    at: datetime
    labels: dict[str, str]
    url: str | None


def source_name(source: str) -> str:
    return SOURCE_NAMES.get(source, source)


def labels_that_matter(
    labels: Mapping[str, str], skip: Mapping[str, str] | None = None, limit: int = LABELS_SHOWN
) -> list[tuple[str, str]]:
    """Up to `limit` labels worth reading, leaving out plumbing and those in `skip`."""
    skip = skip or {}
    keys = [k for k in labels if k not in HIDDEN and skip.get(k) != labels[k]]
    ordered = [k for k in FIRST if k in keys] + sorted(k for k in keys if k not in FIRST)
    return [(k, labels[k]) for k in ordered[:limit]]


def label_text(labels: Mapping[str, str], skip: Mapping[str, str] | None = None) -> str:
    """`service=checkout, instance=a:9090` (plain text, for the timeline)."""
    return ", ".join(f"{k}={v}" for k, v in labels_that_matter(labels, skip))


def label_code(
    labels: Mapping[str, str], skip: Mapping[str, str] | None = None, limit: int = LABELS_SHOWN
) -> str:
    """Labels as Slack inline code: `service=checkout` `instance=a:9090`."""
    return " ".join(f"`{k}={v}`" for k, v in labels_that_matter(labels, skip, limit))


def notice_text(transition: Transition, source: str) -> str:
    """The timeline text of one alert firing or resolving, naming its sender."""
    verb = "Alert firing" if transition.status == "firing" else "Alert resolved"
    where = label_text(transition.labels)
    detail = f" ({where})" if where else ""
    return f"{verb}: {transition.name}{detail} — from {source_name(source)}"


def milestone_note(name: str, source: str, how: str) -> str:
    """The suffix a milestone set from alerts carries: where its time came from."""
    return f" — from {source_name(source)}: {how}"
