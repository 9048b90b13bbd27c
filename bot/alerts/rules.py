"""Routing rules (pure): which alert groups are declared, triaged where, or ignored.

A rule matches a group when one of the notification's alerts matches every condition; the
first rule that matches decides, and a group no rule matches is triaged in
INCIDENT_ALERT_CHANNEL. Rules are read from the `alerts:` section of INCIDENT_CONFIG.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from jinja2 import TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from bot.alerts.payloads import AlertState, Notification
from bot.models import SEVERITIES, TITLE_MAX

ACTIONS = ("declare", "triage", "ignore")
SEVERITY_WORDS = {
    "critical": "sev1",
    "page": "sev1",
    "p1": "sev1",
    "high": "sev2",
    "error": "sev2",
    "major": "sev2",
    "p2": "sev2",
    "warning": "sev3",
    "medium": "sev3",
    "p3": "sev3",
    "low": "sev4",
    "info": "sev4",
    "p4": "sev4",
    "p5": "sev4",
}
_TEMPLATES = SandboxedEnvironment(autoescape=False)


@dataclass(frozen=True)
class Matcher:
    """One condition on a label (or annotation, or PagerDuty field): equal, or a full regex."""

    key: str
    equals: str | None = None
    regex: re.Pattern[str] | None = None

    def matches(self, values: Mapping[str, str]) -> bool:
        value = values.get(self.key)
        if value is None:
            return False
        if self.regex is not None:
            return self.regex.fullmatch(value) is not None
        return value == self.equals


@dataclass(frozen=True)
class Rule:
    """`match` conditions and the one action taken when they hold."""

    name: str
    line: int
    action: str
    sources: tuple[str, ...] = ()
    labels: tuple[Matcher, ...] = ()
    annotations: tuple[Matcher, ...] = ()
    pagerduty: tuple[Matcher, ...] = ()
    severity: str | None = None
    incident_type: str | None = None
    title: str | None = None
    commander: str | None = None
    private: bool = False
    channel: str | None = None

    def matching_alert(self, note: Notification) -> AlertState | None:
        """The first alert of the notification that meets every condition, if any."""
        if self.sources and note.source not in self.sources:
            return None
        pager: dict[str, str] = {}
        if self.pagerduty:
            if note.pager is None:
                return None
            pager = {
                "service": note.pager.service,
                "service_id": note.pager.service_id,
                "urgency": note.pager.urgency,
            }
            if not all(m.matches(pager) or _by_id(m, pager) for m in self.pagerduty):
                return None
        for alert in note.alerts:
            labels = {**note.labels, **alert.labels}
            notes = {**note.annotations, **alert.annotations}
            if all(m.matches(labels) for m in self.labels) and all(
                m.matches(notes) for m in self.annotations
            ):
                return alert
        return None


def _by_id(matcher: Matcher, pager: Mapping[str, str]) -> bool:
    """`pagerduty: {service: PF9KMXH}` may name the service by id as well as by name."""
    return matcher.key == "service" and Matcher(
        "service_id", matcher.equals, matcher.regex
    ).matches(pager)


@dataclass(frozen=True)
class Route:
    """What to do with a new group: the action, the rule that chose it, and its details."""

    action: str
    rule: str | None = None
    channel: str | None = None
    severity: str = "sev3"
    title: str = ""
    commander: str | None = None
    private: bool = False
    incident_type: str | None = None


@dataclass
class RuleSet:
    """The rules of a config file in their order (empty: everything is triaged)."""

    rules: list[Rule] = field(default_factory=list)

    def route(self, note: Notification, default_channel: str | None) -> Route:
        """First match wins; no match means triage in the default channel."""
        for rule in self.rules:
            alert = rule.matching_alert(note)
            if alert is None:
                continue
            severity = rule.severity or severity_hint(note)
            if rule.action == "declare":
                return Route(
                    "declare",
                    rule.name,
                    severity=severity,
                    title=render_title(rule.title, note, alert),
                    commander=rule.commander,
                    private=rule.private,
                    incident_type=rule.incident_type,
                )
            channel = rule.channel or default_channel
            return Route(
                rule.action, rule.name, channel=channel, severity=severity, title=note.title
            )
        return Route("triage", None, channel=default_channel, severity=severity_hint(note))


def severity_hint(note: Notification) -> str:
    """The severity the sender suggests (sev1-4, or words like critical/warning), else sev3."""
    word = (note.severity or "").strip().lower()
    if word in SEVERITIES:
        return word
    return SEVERITY_WORDS.get(word, "sev3")


def render_title(template: str | None, note: Notification, alert: AlertState) -> str:
    """The incident title from the rule's template; the group's title when there is none."""
    if not template:
        return note.title[:TITLE_MAX]
    values: dict[str, Any] = {
        "title": note.title,
        "source": note.source,
        "labels": {**note.labels, **alert.labels},
        "annotations": {**note.annotations, **alert.annotations},
        "alerts": len(note.alerts),
    }
    try:
        rendered = _TEMPLATES.from_string(template).render(values)
    except Exception:  # a template that fails on these values still gives an incident
        rendered = ""
    return (" ".join(rendered.split()) or note.title)[:TITLE_MAX]


def compile_template(template: str) -> str | None:
    """None when the template parses, else what is wrong with it."""
    try:
        _TEMPLATES.parse(template)
    except TemplateSyntaxError as exc:
        return f"title template: {exc.message}"
    return None
