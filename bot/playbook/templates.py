"""Templates in workflows (`post`, `bookmark`, `remind`, `action_item` texts): Jinja2 in an
immutable sandbox that sees only the incident's public fields, as plain data.

A template is refused when it is checked (config check, start-up) if it names anything but
`incident`, reaches for a private attribute (`''.__class__`), or fails on a sample incident.
"""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateError, meta, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

ENV = ImmutableSandboxedEnvironment(autoescape=False, trim_blocks=True)
# What a template may read: `incident.<one of these>` (data, never objects of the bot).
PUBLIC_FIELDS = (
    "number",
    "title",
    "severity",
    "status",
    "type",
    "fields",
    "summary",
    "impact",
    "channel",
    "channel_id",
    "channel_name",
    "commander",
    "declared_at",
)
SAMPLE: dict[str, Any] = {
    "number": 42,
    "title": "Checkout is down",
    "severity": "sev1",
    "status": "investigating",
    "type": "database",
    "fields": {},
    "summary": "",
    "impact": "",
    "channel": "<#C0SAMPLE>",
    "channel_id": "C0SAMPLE",
    "channel_name": "inc-42-checkout-is-down",
    "commander": "<@U0SAMPLE>",
    "declared_at": "2026-11-27T03:00:00Z",
}
LIMIT = 4000


def check_template(text: str) -> str | None:
    """None when `text` is a safe template, else what is wrong with it (one line)."""
    try:
        tree = ENV.parse(text)
    except TemplateError as exc:
        return f"not a valid template: {exc}"
    unknown = sorted(meta.find_undeclared_variables(tree) - {"incident"})
    if unknown:
        return f"a template can use only `incident` (its fields), not `{unknown[0]}`"
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Const)):
        attr = getattr(node, "attr", None)
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            attr = node.arg.value
        if isinstance(node, nodes.Const):  # `|attr("__class__")` names it as a string
            attr = node.value if str(node.value).startswith("__") else None
        if isinstance(attr, str) and attr.startswith("_"):
            return f"`{attr}` is outside the incident's fields: templates run in a sandbox"
        if (
            isinstance(node, nodes.Getattr | nodes.Getitem)
            and isinstance(node.node, nodes.Name)
            and node.node.name == "incident"
            and isinstance(attr, str)
            and attr not in PUBLIC_FIELDS
        ):
            return f"`incident.{attr}` is not a field (fields: {', '.join(PUBLIC_FIELDS)})"
    try:
        render(text, SAMPLE)
    except (TemplateError, SecurityError, TypeError, ValueError) as exc:
        return f"template fails on a sample incident: {exc}"
    return None


def render(text: str, incident: dict[str, Any]) -> str:
    """Render with the incident's public fields only; the sandbox refuses anything else."""
    public = {k: incident.get(k) for k in PUBLIC_FIELDS}
    return ENV.from_string(text).render(incident=public)[:LIMIT]
