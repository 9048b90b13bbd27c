"""Routing rules and the config file, read and applied without Slack or a database."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.alerts import pagerduty, payloads
from bot.alerts.ruleconfig import read_rules
from bot.alerts.rules import RuleSet
from bot.configfile import ConfigFileError, parse
from tests.support.alerts import fixture, fixture_json

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 27, 9, tzinfo=UTC)


def rules(text: str) -> RuleSet:
    return read_rules(parse(text, "test.yml"))


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigFileError) as caught:
        rules(text)
    return [p.render("test.yml") for p in caught.value.problems]


def test_the_shipped_example_checks() -> None:
    example = rules((ROOT / "incident-bot.example.yml").read_text())
    assert [r.action for r in example.rules] == ["declare", "declare", "ignore", "triage"]


BAD = """\
alerts:
  rules:
    - name: pages
      match:
        labels:
          service: {regex: "(checkout"}
        source: nagios
      declare: {severity: sev9, title: "{{ labels.x", commander: bob}
    - match: {labels: {team: a}}
      ignore: true
      triage: true
    - name: pages
      triage: {channel: general}
    - declare:
        type: database
    - when: {}
      ignore: yes
    - match: {pagerduty: {urgency: high, colour: red}}
      ignore: maybe
bogus: 1
"""


def test_every_problem_is_reported_with_its_line() -> None:
    assert problems(BAD) == [
        "test.yml line 6: alerts.rules[0].match.labels.service: bad regex '(checkout': "
        "missing ), unterminated subpattern at position 0",
        "test.yml line 7: alerts.rules[0].match.source: unknown sender `nagios` "
        "(alertmanager, grafana, pagerduty, generic)",
        "test.yml line 8: alerts.rules[0].declare.severity must be one of sev1-sev4",
        "test.yml line 8: alerts.rules[0].declare.title template: unexpected end of template, "
        "expected 'end of print statement'.",
        "test.yml line 8: alerts.rules[0].declare.commander must be a Slack user ID (U…)",
        "test.yml line 9: alerts.rules[1] needs exactly one action: declare, triage or ignore",
        "test.yml line 12: rule name `pages` is used twice (first line 3)",
        "test.yml line 13: alerts.rules[2].triage.channel must be a channel ID (C…) or #name",
        "test.yml line 15: alerts.rules[3].declare.type: `database` is not defined "
        "(no `incident_types:` section)",
        "test.yml line 16: alerts.rules[4]: unknown key `when` (name, match, declare, triage, "
        "ignore)",
        "test.yml line 18: alerts.rules[5].match.pagerduty: unknown key `colour` "
        "(service, urgency)",
        "test.yml line 19: alerts.rules[5].ignore must be `true`",
        "test.yml line 20: unknown section `bogus` (known: alerts, incident_types, "
        "custom_fields, workflows, status_page)",
    ]


def test_yaml_syntax_and_duplicate_keys_name_their_line() -> None:
    assert problems("alerts:\n  rules:\n    - match: {labels: [}\n") == [
        "test.yml line 3: not valid YAML: expected the node content, but found '}'"
    ]
    assert problems("alerts: {}\nalerts: {}\n") == ["test.yml line 2: `alerts` appears twice"]


def test_types_are_checked_against_the_types_section() -> None:
    text = "incident_types: {database: {}}\nalerts:\n  rules:\n    - declare: {type: %s}\n"
    assert rules(text % "database").rules[0].incident_type == "database"
    assert problems(text % "network") == [
        "test.yml line 4: alerts.rules[0].declare.type: unknown incident type `network` "
        "(known: database)"
    ]


ROUTING = """\
alerts:
  rules:
    - name: checkout pages
      match:
        source: [alertmanager]
        labels: {severity: critical, service: {regex: "check.*"}}
      declare: {severity: sev1, title: "{{ labels.alertname }} on {{ labels.service }}"}
    - name: pd database
      match: {pagerduty: {service: PF9KMXH, urgency: high}}
      declare: {severity: sev2}
    - name: noise
      match: {labels: {alertname: {regex: "Watchdog|Info"}}}
      ignore: true
    - name: team blue
      match: {labels: {team: blue}}
      triage: {channel: "#blue-alerts"}
"""


def test_first_matching_rule_decides() -> None:
    ruleset = rules(ROUTING)
    am = payloads.alertmanager(fixture_json("alertmanager/firing.json"), b"x")
    route = ruleset.route(am, "C0ALERTS")
    assert (route.action, route.rule, route.severity) == ("declare", "checkout pages", "sev1")
    assert route.title == "HighLatency on checkout"
    grafana = payloads.grafana(fixture_json("grafana/firing.json"), b"x")
    assert ruleset.route(grafana, "C0ALERTS").channel == "#blue-alerts"
    generic = payloads.generic(fixture_json("generic/firing.json"), b"x", NOW)
    fallback = ruleset.route(generic, "C0ALERTS")
    assert (fallback.action, fallback.rule, fallback.channel) == ("triage", None, "C0ALERTS")
    assert fallback.severity == "sev2"  # the sender's own severity


def test_regexes_match_whole_values_and_services_match_by_name_or_id() -> None:
    ruleset = rules(ROUTING)
    body = fixture_json("pagerduty/triggered.json")
    note = pagerduty.notification(body)
    assert note is not None and ruleset.route(note, None).rule == "pd database"
    body["event"]["data"]["urgency"] = "low"
    low = pagerduty.notification(body)
    assert low is not None and ruleset.route(low, None).rule is None
    am = fixture_json("alertmanager/firing.json")
    for alert in am["alerts"]:
        alert["labels"]["service"] = "precheckout"  # "check.*" must match all of it
    am["commonLabels"]["service"] = "precheckout"
    assert (
        ruleset.route(payloads.alertmanager(am, fixture("alertmanager/firing.json")), None).rule
        is None
    )


def test_a_rule_matches_when_one_alert_meets_every_condition() -> None:
    ruleset = rules("alerts:\n  rules:\n    - match: {labels: {zone: eu-1}}\n      ignore: true\n")
    grafana = payloads.grafana(fixture_json("grafana/firing.json"), b"x")  # zones us-1, eu-1
    assert ruleset.route(grafana, None).action == "ignore"
