"""Reading the `alerts:` section of INCIDENT_CONFIG into rules, naming every error's line."""

from __future__ import annotations

import re
from typing import Any

from bot.alerts.payloads import SOURCES
from bot.alerts.rules import ACTIONS, Matcher, Rule, RuleSet, compile_template
from bot.configfile import ConfigDocument, ConfigFileError, Mapping, Problem, Sequence
from bot.models import SEVERITIES, TITLE_MAX

RULE_KEYS = ("name", "match", *ACTIONS)
MATCH_KEYS = ("source", "labels", "annotations", "pagerduty")
DECLARE_KEYS = ("severity", "type", "title", "commander", "private")
PAGER_KEYS = ("service", "urgency")
USER_ID = re.compile(r"[UW][A-Z0-9]+")
CHANNEL = re.compile(r"(#[a-z0-9][a-z0-9_-]{0,79}|[CG][A-Z0-9]+)")


class _Reader:
    """Collects problems while reading, so one pass reports them all."""

    def __init__(self, type_names: set[str] | None) -> None:
        self.problems: list[Problem] = []
        self.type_names = type_names

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(line, message))

    def mapping(self, value: Any, line: int, where: str, keys: tuple[str, ...]) -> Mapping | None:
        if not isinstance(value, Mapping):
            self.problem(line, f"{where} must be a mapping")
            return None
        for key in value:
            if key not in keys:
                self.problem(
                    value.line_of(key), f"{where}: unknown key `{key}` ({', '.join(keys)})"
                )
        return value

    def matchers(self, value: Any, line: int, where: str) -> tuple[Matcher, ...]:
        if not isinstance(value, Mapping):
            self.problem(line, f"{where} must be a mapping of name: value")
            return ()
        out = []
        for key, wanted in value.items():
            at = value.line_of(key)
            if isinstance(wanted, Mapping):
                out.extend(self._regex(key, wanted, at, f"{where}.{key}"))
            elif isinstance(wanted, str | int | float) and not isinstance(wanted, bool):
                out.append(Matcher(key, equals=str(wanted)))
            else:
                self.problem(at, f"{where}.{key} must be a value or {{regex: PATTERN}}")
        return tuple(out)

    def _regex(self, key: str, wanted: Mapping, line: int, where: str) -> list[Matcher]:
        pattern = wanted.get("regex")
        if list(wanted) != ["regex"] or not isinstance(pattern, str):
            self.problem(line, f"{where} must be a value or {{regex: PATTERN}}")
            return []
        try:
            return [Matcher(key, regex=re.compile(pattern))]
        except re.error as exc:
            self.problem(wanted.line_of("regex"), f"{where}: bad regex {pattern!r}: {exc}")
            return []

    def sources(self, value: Any, line: int, where: str) -> tuple[str, ...]:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(s, str) for s in items):
            self.problem(line, f"{where}.source must be a sender or a list of senders")
            return ()
        for source in items:
            if source not in SOURCES:
                self.problem(
                    line, f"{where}.source: unknown sender `{source}` ({', '.join(SOURCES)})"
                )
        return tuple(items)

    def match(self, rule: Mapping, where: str) -> dict[str, Any]:
        value = rule.get("match")
        if value is None:
            return {}
        found = self.mapping(value, rule.line_of("match"), f"{where}.match", MATCH_KEYS)
        if found is None:
            return {}
        out: dict[str, Any] = {}
        if "source" in found:
            out["sources"] = self.sources(
                found["source"], found.line_of("source"), f"{where}.match"
            )
        for key in ("labels", "annotations"):
            if key in found:
                out[key] = self.matchers(found[key], found.line_of(key), f"{where}.match.{key}")
        if "pagerduty" in found:
            at = found.line_of("pagerduty")
            pager = self.mapping(found["pagerduty"], at, f"{where}.match.pagerduty", PAGER_KEYS)
            if pager is not None:
                out["pagerduty"] = self.matchers(pager, at, f"{where}.match.pagerduty")
        return out

    def declare(self, value: Any, line: int, where: str) -> dict[str, Any]:
        if value is True or value is None:
            return {}
        found = self.mapping(value, line, where, DECLARE_KEYS)
        if found is None:
            return {}
        out: dict[str, Any] = {}
        severity = found.get("severity")
        if severity is not None and severity not in SEVERITIES:
            self.problem(found.line_of("severity"), f"{where}.severity must be one of sev1-sev4")
        out["severity"] = severity if severity in SEVERITIES else None
        title = found.get("title")
        if title is not None:
            problem = compile_template(title) if isinstance(title, str) else "title must be text"
            if problem is None and len(title) > TITLE_MAX * 2:
                problem = "title template is too long"
            if problem:
                self.problem(found.line_of("title"), f"{where}.{problem}")
            out["title"] = None if problem else title
        commander = found.get("commander")
        if commander is not None and not (
            isinstance(commander, str) and USER_ID.fullmatch(commander)
        ):
            self.problem(
                found.line_of("commander"), f"{where}.commander must be a Slack user ID (U…)"
            )
        out["commander"] = commander if isinstance(commander, str) else None
        private = found.get("private", False)
        if not isinstance(private, bool):
            self.problem(found.line_of("private"), f"{where}.private must be true or false")
        out["private"] = private is True
        out["incident_type"] = self.incident_type(found, where)
        return out

    def incident_type(self, found: Mapping, where: str) -> str | None:
        kind = found.get("type")
        if kind is None:
            return None
        line = found.line_of("type")
        if not isinstance(kind, str):
            self.problem(line, f"{where}.type must be the name of an incident type")
        elif self.type_names is None:
            self.problem(
                line, f"{where}.type: `{kind}` is not defined (no `incident_types:` section)"
            )
        elif kind not in self.type_names:
            known = ", ".join(sorted(self.type_names)) or "none"
            self.problem(line, f"{where}.type: unknown incident type `{kind}` (known: {known})")
        return kind if isinstance(kind, str) else None

    def triage(self, value: Any, line: int, where: str) -> dict[str, Any]:
        if value is True or value is None:
            return {}
        found = self.mapping(value, line, where, ("channel",))
        channel = found.get("channel") if found is not None else None
        if found is not None and not (isinstance(channel, str) and CHANNEL.fullmatch(channel)):
            at = found.line_of("channel")
            self.problem(at, f"{where}.channel must be a channel ID (C…) or #name")
            return {}
        return {"channel": channel}

    def rule(self, value: Any, line: int, index: int) -> Rule | None:
        where = f"alerts.rules[{index}]"
        rule = self.mapping(value, line, where, RULE_KEYS)
        if rule is None:
            return None
        name = rule.get("name", f"rule {index + 1}")
        if not isinstance(name, str) or not name.strip():
            self.problem(rule.line_of("name"), f"{where}.name must be text")
            name = f"rule {index + 1}"
        actions = [a for a in ACTIONS if a in rule]
        if len(actions) != 1:
            self.problem(rule.line, f"{where} needs exactly one action: declare, triage or ignore")
            return None
        action = actions[0]
        at = rule.line_of(action)
        details: dict[str, Any] = self.match(rule, where)
        if action == "declare":
            details.update(self.declare(rule[action], at, f"{where}.declare"))
        elif action == "triage":
            details.update(self.triage(rule[action], at, f"{where}.triage"))
        elif rule[action] is not True:
            self.problem(at, f"{where}.ignore must be `true`")
        return Rule(name=name.strip(), line=rule.line, action=action, **details)


def type_names(document: ConfigDocument) -> set[str] | None:
    """Incident types the file defines (a mapping's keys or a list's names); None: no section."""
    types = document.section("incident_types")
    if types is None:
        return None
    if isinstance(types, Mapping):
        return set(types)
    if isinstance(types, Sequence):
        return {t if isinstance(t, str) else str(t.get("name")) for t in types if t}
    return set()


def read_rules(document: ConfigDocument) -> RuleSet:
    """The rules of the `alerts:` section; ConfigFileError lists every problem with its line."""
    section = document.section("alerts")
    reader = _Reader(type_names(document))
    reader.problems.extend(document.problems)
    alerts = None
    if section is not None:
        alerts = reader.mapping(section, document.data.line_of("alerts"), "alerts", ("rules",))
    rules: list[Rule] = []
    items = alerts.get("rules") if alerts is not None else None
    if alerts is not None and items is not None and not isinstance(items, Sequence):
        reader.problem(alerts.line_of("rules"), "alerts.rules must be a list of rules")
    elif items is not None:
        for index, value in enumerate(items):
            rule = reader.rule(value, items.line_of(index), index)
            if rule is not None:
                rules.append(rule)
    seen: dict[str, int] = {}
    for rule in rules:
        if rule.name in seen:
            reader.problem(
                rule.line, f"rule name `{rule.name}` is used twice (first line {seen[rule.name]})"
            )
        seen.setdefault(rule.name, rule.line)
    if reader.problems:
        raise ConfigFileError(document.path, reader.problems)
    return RuleSet(rules)
