"""`incident-bot config explain`: which workflows would run, and what each step would do, for
an incident of a given severity and type (a dry run: no Slack, no database)."""

from __future__ import annotations

from typing import Any

from bot.playbook import models as m
from bot.playbook.models import Playbook, step_args, step_kind
from bot.playbook.templates import SAMPLE, render
from bot.workflows.matching import matching


def describe_step(step: Any, incident: dict[str, Any]) -> str:
    """One line: what the step would do for this incident."""
    kind, a = step_kind(step), step_args(step)
    if isinstance(a, m.InviteArgs):
        who = [*a.users, *(f"members of user group {g}" for g in a.groups)]
        return f"invite {', '.join(who) or 'nobody'}"
    if isinstance(a, m.AssignRoleArgs):
        return f"make {a.user} {a.role}"
    if isinstance(a, m.PostArgs):
        where = a.channel or "the incident channel"
        return f"post in {where}: {render(a.text, incident)!r}"
    if isinstance(a, m.BookmarkArgs):
        return f"bookmark {render(a.title, incident)!r} → {render(a.url, incident)}"
    if isinstance(a, m.ChecklistArgs):
        return f"checklist {a.title!r}: " + "; ".join(a.tasks)
    if isinstance(a, m.RemindArgs):
        return f"after {a.after}, remind {a.to}: {render(a.text, incident)!r}"
    if isinstance(a, m.ActionItemArgs):
        due = f", due in {a.due}" if a.due else ""
        return f"action item for {a.owner or 'nobody'}{due}: {render(a.text, incident)!r}"
    if isinstance(a, m.WebhookArgs):
        return f"POST the incident as signed JSON to {a.url}"
    return kind


def explain(
    playbook: Playbook,
    *,
    severity: str,
    incident_type: str | None,
    trigger: str = "declared",
    fields: dict[str, Any] | None = None,
) -> list[str]:
    """The dry run's lines."""
    incident = {**SAMPLE, "severity": severity, "type": incident_type, "fields": fields or {}}
    facts = {"severity": severity, "type": incident_type, "status": "investigating"}
    facts["fields"] = fields or {}
    lines = []
    if incident_type is not None and incident_type not in playbook.incident_types:
        known = ", ".join(playbook.incident_types) or "none"
        return [f"`{incident_type}` is not an incident type (types: {known})"]
    flows = matching(playbook, trigger, facts)
    kind = f" {incident_type}" if incident_type else ""
    lines.append(f"On {trigger} of a {severity}{kind} incident, {len(flows)} workflow(s) run:")
    for name, flow in flows:
        about = f" — {flow.description}" if flow.description else ""
        lines.append(f"  {name}{about}")
        lines += [
            f"    {i + 1}. {describe_step(step, incident)}" for i, step in enumerate(flow.steps)
        ]
    others = [n for n, f in playbook.workflows.items() if f.trigger != trigger]
    if others:
        lines.append(f"On other triggers: {', '.join(others)} (use --trigger to see them).")
    return lines
