"""Each workflow trigger end to end: severity, status, field and type changes, resolution and
alerts each run the workflows whose conditions hold, once per occurrence (a repeated alert
notification runs nothing again). Signed HTTP into the app, fake Slack, SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.models import ActionItem, WorkflowRun
from tests.support.alerts import am_alert, am_payload, start_alerting
from tests.support.guided import entries, start
from tests.support.harness import SlackHarness

Make = Callable[..., SlackHarness]
CONFIG = """\
incident_types:
  database: {}
  security: {}
custom_fields:
  region: {kind: select, options: [eu-west, us-east]}
workflows:
  escalated:
    trigger: severity_changed
    when: {severity: sev1}
    steps: [{post: {text: "escalated to {{ incident.severity }}"}}]
  monitoring:
    trigger: status_changed
    when: {status: monitoring}
    steps: [{post: {text: "now {{ incident.status }}"}}]
  slow-identified:
    trigger: status_changed
    when: {status: identified}
    steps: [{bookmark: {title: "Status page", url: "https://status.example.com"}}]
  region-set:
    trigger: field_changed
    field: region
    when: {fields: {region: eu-west}}
    steps: [{post: {text: "region is {{ incident.fields.region }}"}}]
  security-type:
    trigger: type_changed
    when: {type: security}
    steps: [{post: {text: "security response engaged"}}]
  postmortem-owed:
    trigger: resolved
    when: {severity: [sev1, sev2]}
    steps:
      - action_item: {text: "Write the postmortem", owner: commander, due: 5 working days}
ALERTS
"""
ALERT_WORKFLOW = """\
  db-alert:
    trigger: alert
    when: {labels: {service: db}}
    steps: [{post: {text: "db alert on incident {{ incident.number }}"}}]
alerts:
  rules:
    - name: pages
      match: {labels: {severity: critical}}
      declare: {severity: sev2}
"""


def _ran(slack: SlackHarness, workflow: str) -> int:
    return sum(f"Workflow `{workflow}` ran" in e.text for e in entries(slack, "note"))


def _wait_ran(slack: SlackHarness, workflow: str, times: int = 1) -> None:
    slack.fake.wait_for(lambda f: _ran(slack, workflow) >= times, timeout=15, what=workflow)


def _type(slack: SlackHarness, text: str, channel: str) -> None:
    """Type a change and wait until it is recorded (as a person types: one after another)."""
    before = len(entries(slack))
    slack.command(text, channel=channel)
    slack.fake.wait_for(lambda f: len(entries(slack)) > before, what=text)


def test_change_triggers_run_matching_workflows_once_each(make_slack: Make, tmp_path: Path) -> None:
    slack = start(make_slack, tmp_path, CONFIG.replace("ALERTS", ""))
    channel = slack.declare("Login errors", flags="sev3")
    _type(slack, "severity sev2", channel)  # a change, but no condition holds
    _type(slack, "severity sev1", channel)
    _wait_ran(slack, "escalated")
    assert "escalated to sev1" in slack.posts(channel)

    # Conditions are on the state the change made, even when the trigger's turn comes after
    # a later change: while the first `identified` run waits on a slow Slack, `monitoring` and
    # `identified` are typed; the monitoring trigger then runs with the incident identified.
    slack.fake.slow("bookmarks.add", 2.0)
    _type(slack, "status identified", channel)
    slack.fake.wait_for(
        lambda f: _ran(slack, "slow-identified") == 0 and f.calls_to("bookmarks.add")
    )
    _type(slack, "status monitoring", channel)
    _type(slack, "status identified", channel)
    _wait_ran(slack, "monitoring")
    slack.fake.slow("bookmarks.add", 0)
    assert "now monitoring" in slack.posts(channel)

    _type(slack, "set region us-east", channel)
    _type(slack, "set region eu-west", channel)
    _wait_ran(slack, "region-set")
    assert "region is eu-west" in slack.posts(channel)

    _type(slack, "type database", channel)
    _type(slack, "type security", channel)
    _wait_ran(slack, "security-type")
    assert "security response engaged" in slack.posts(channel)

    _type(slack, "resolved the session store failed over", channel)
    _wait_ran(slack, "postmortem-owed")
    with slack.deps.db.unit_of_work() as session:
        (item,) = session.scalars(select(ActionItem)).all()
        runs = session.scalars(select(WorkflowRun)).all()
    assert (item.text, item.owner) == ("Write the postmortem", "U1")
    slack.idle()
    # Once per occurrence; conditions that did not hold ran nothing.
    assert sorted(r.workflow for r in runs) == [
        "escalated",
        "monitoring",
        "postmortem-owed",
        "region-set",
        "security-type",
        "slow-identified",
        "slow-identified",
    ]
    posts = slack.posts(channel)
    for text in ("escalated to sev1", "now monitoring", "region is eu-west"):
        assert sum(text in p for p in posts) == 1, text
    slack.fake.assert_no_violations()


def test_alert_trigger_runs_on_each_new_alert_not_on_a_repeat(
    make_slack: Make, fake_slack: object, tmp_path: Path
) -> None:
    path = tmp_path / "incident-bot.yml"
    path.write_text(CONFIG.replace("ALERTS", ALERT_WORKFLOW))
    slack, sender, _triage = start_alerting(make_slack, fake_slack, INCIDENT_CONFIG=str(path))
    start_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=10)
    first = am_alert("DiskFull", at=start_at, service="db", severity="critical", instance="a")
    payload = am_payload("DiskFull", [first], service="db", severity="critical")
    assert sender.alertmanager(payload).status == 200
    _wait_ran(slack, "db-alert")
    assert sender.alertmanager(payload).status == 200  # Alertmanager's retry: the same alert
    second = am_alert("DiskFull", at=start_at, service="db", severity="critical", instance="b")
    both = am_payload("DiskFull", [first, second], service="db", severity="critical")
    assert sender.alertmanager(both).status == 200
    _wait_ran(slack, "db-alert", 2)
    slack.idle()
    with slack.deps.db.unit_of_work() as session:
        runs = session.scalars(select(WorkflowRun)).all()
    assert [r.workflow for r in runs] == ["db-alert", "db-alert"]
    assert _ran(slack, "db-alert") == 2
