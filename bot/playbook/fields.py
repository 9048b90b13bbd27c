"""Incident types and custom field values as people type them: read strictly, one clear line
listing what is valid when they are not (pure: no Slack, no database)."""

from __future__ import annotations

import re
from typing import Any

from bot.errors import IncidentError
from bot.parsing import check_text, parse_user
from bot.playbook.models import CustomField, Playbook, field_label

SET_USAGE = "/incident set FIELD VALUE"
_URL = re.compile(r"^<?(https?://[^\s<>|]+)(?:\|[^<>]*)?>?$")


def check_type(playbook: Playbook, name: str) -> str:
    """The incident type called `name`, or one line naming the types there are."""
    wanted = name.strip().lower()
    if wanted in playbook.incident_types:
        return wanted
    known = ", ".join(playbook.incident_types) or "none are configured (INCIDENT_CONFIG)"
    raise IncidentError(f"`{name}` is not an incident type. Types: {known}.")


def check_field_name(playbook: Playbook, name: str) -> tuple[str, CustomField]:
    wanted = name.strip().lower()
    field = playbook.custom_fields.get(wanted)
    if field is None:
        known = ", ".join(playbook.custom_fields) or "none are configured (INCIDENT_CONFIG)"
        raise IncidentError(f"`{name}` is not a custom field. Fields: {known}.")
    return wanted, field


def parse_value(name: str, field: CustomField, raw: str) -> str | list[str]:
    """What `raw` means for this field, as stored; refused with the valid values."""
    raw = raw.strip()
    if not raw:
        raise IncidentError(f"Missing value for `{name}`. Use: `{SET_USAGE}`")
    if field.kind == "select":
        return _option(name, field, raw)
    if field.kind == "multi_select":
        values = [_option(name, field, v) for v in re.split(r"\s*,\s*", raw) if v]
        return list(dict.fromkeys(values))
    if field.kind == "user":
        return parse_user(raw)
    if field.kind == "url":
        match = _URL.match(raw)
        if not match:
            raise IncidentError(f"`{raw}` is not a link for `{name}`: give an https:// URL.")
        return match.group(1)
    return check_text(raw, field_label(name, field).lower(), 500)


def _option(name: str, field: CustomField, raw: str) -> str:
    for option in field.options:
        if option.lower() == raw.lower():
            return option
    many = " (several: comma-separated)" if field.kind == "multi_select" else ""
    raise IncidentError(
        f"`{raw}` is not an option of `{name}`. Options: {', '.join(field.options)}{many}."
    )


def shown(field: CustomField, value: Any) -> str:
    """A stored value as people read it in Slack."""
    if isinstance(value, list):
        return ", ".join(value)
    if field.kind == "user":
        return f"<@{value}>"
    return str(value)


def field_lines(playbook: Playbook, values: dict[str, Any]) -> list[str]:
    """`*Label:* value` for each configured field that has a value, in config order."""
    return [
        f"*{field_label(name, field)}:* {shown(field, values[name])}"
        for name, field in playbook.custom_fields.items()
        if values.get(name) not in (None, "", [])
    ]


def missing(playbook: Playbook, values: dict[str, Any], at: str) -> list[str]:
    """The fields required at `at` (declare|resolve) that have no value."""
    return [
        name
        for name, field in playbook.custom_fields.items()
        if field.required == at and values.get(name) in (None, "", [])
    ]


def describe_missing(names: list[str]) -> str:
    forms = ", ".join(f"`/incident set {n} VALUE`" for n in names)
    return f"set {', '.join(f'`{n}`' for n in names)} first ({forms})"
