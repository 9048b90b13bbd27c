"""Which workflows a trigger occurrence runs (pure: no Slack, no database)."""

from __future__ import annotations

from typing import Any

from bot.models import Incident
from bot.playbook.models import Playbook, Workflow


def _any_of(wanted: list[str] | str | None, actual: Any) -> bool:
    if wanted is None:
        return True
    allowed = [wanted] if isinstance(wanted, str) else wanted
    if isinstance(actual, list):
        return any(a in allowed for a in actual)
    return actual in allowed


def matches(
    playbook: Playbook,
    name: str,
    flow: Workflow,
    trigger: str,
    facts: dict[str, Any],
) -> bool:
    """Whether workflow `name` runs for this trigger on an incident with these facts
    (`severity`, `type`, `status`, `fields`, and for alerts `labels`, for field changes
    `field`)."""
    if flow.trigger != trigger:
        return False
    if flow.field is not None and facts.get("field") != flow.field:
        return False
    when = flow.when
    if not _any_of(when.severity, facts.get("severity")):
        return False
    if not _any_of(when.status, facts.get("status")):
        return False
    if not _any_of(when.type, facts.get("type")):
        return False
    typed = playbook.typed_workflows(name)
    if typed and facts.get("type") not in typed:
        return False  # a type's own workflow runs only for incidents of that type
    fields = facts.get("fields") or {}
    if not all(_any_of(v, fields.get(k)) for k, v in when.fields.items()):
        return False
    labels = facts.get("labels") or {}
    return all(labels.get(k) == v for k, v in when.labels.items())


def matching(playbook: Playbook, trigger: str, facts: dict[str, Any]) -> list[tuple[str, Workflow]]:
    """The workflows this occurrence runs, in the file's order."""
    return [
        (name, flow)
        for name, flow in playbook.workflows.items()
        if matches(playbook, name, flow, trigger, facts)
    ]


def public_fields(incident: Incident, roles: dict[str, str]) -> dict[str, Any]:
    """What templates, webhooks and steps may read of an incident (plus id, roles)."""
    return {
        "id": incident.id,
        "number": incident.number,
        "title": incident.title,
        "severity": incident.severity,
        "status": incident.status,
        "type": incident.type,
        "fields": dict(incident.fields or {}),
        "summary": incident.summary or "",
        "impact": incident.impact or "",
        "channel": f"<#{incident.channel_id}>",
        "channel_id": incident.channel_id,
        "channel_name": incident.channel_name,
        "commander": f"<@{incident.commander}>" if incident.commander else "",
        "declared_at": incident.declared_at.isoformat().replace("+00:00", "Z"),
        "declared_by": incident.declared_by,
        "roles": roles,
    }
