"""Incidents from alerts: declared by a rule, milestones with their source, `alert` timeline
entries, one summary edited in place, "all alerts resolved" told once, never auto-resolved."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import AlertGroup, Incident, TimelineEntry
from bot.slack import ids
from tests.support.alerts import (
    AlertSender,
    am_alert,
    am_payload,
    changed_by,
    fixture_json,
    start_alerting,
    triage_posts,
)

RULES = """\
alerts:
  rules:
    - name: checkout pages
      match:
        source: alertmanager
        labels: {severity: critical}
      declare:
        severity: sev1
        title: "{{ labels.alertname }} on {{ labels.service }}"
        commander: U2
    - name: pd api
      match: {pagerduty: {service: API Service}}
      declare: {severity: sev2}
    - name: noise
      match: {labels: {alertname: Watchdog}}
      ignore: true
    - name: storage team
      match: {labels: {team: storage}}
      triage: {channel: "#storage-alerts"}
"""


@pytest.fixture
def alerting(make_slack: Any, fake_slack: Any, tmp_path: Path) -> tuple[Any, AlertSender, str]:
    (tmp_path / "rules.yml").write_text(RULES)
    return start_alerting(make_slack, fake_slack, INCIDENT_CONFIG=str(tmp_path / "rules.yml"))


def _incident(slack: Any) -> Incident:
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        incident.timeline  # noqa: B018 - loaded while the session is open
        return incident


def _posts(slack: Any, channel: str) -> list[Any]:
    return [
        c for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == channel and c.ok
    ]


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_a_rule_declares_and_the_alerts_feed_the_incident(alerting: Any) -> None:
    slack, sender, triage = alerting
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    web1 = am_alert(
        "HighLatency", at=start, service="checkout", severity="critical", instance="web-1"
    )
    web2 = am_alert(
        "HighLatency",
        at=start + timedelta(minutes=4),
        service="checkout",
        severity="critical",
        instance="web-2",
    )
    common = {"service": "checkout", "severity": "critical"}
    assert sender.alertmanager(am_payload("HighLatency", [web1, web2], **common)).status == 200
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"), timeout=15)
    slack.fake.wait_for(lambda f: _incident(slack).started_at is not None, timeout=15)
    incident = _incident(slack)
    channel = incident.channel_id
    assert (incident.title, incident.severity, incident.commander) == (
        "HighLatency on checkout",
        "sev1",
        "U2",
    )
    assert "U2" in slack.fake.channels[channel].members, "the rule's commander is invited"
    assert incident.started_at == start  # the earliest alert start
    with slack.deps.db.unit_of_work() as session:
        group = session.scalars(select(AlertGroup)).one()
    assert incident.detected_at == group.first_seen_at and incident.acknowledged_at is None
    assert not triage_posts(slack.fake, triage), "declared by rule: no triage message"
    # One summary, threaded under the pinned card, edited in place from then on.
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    slack.fake.wait_for(
        lambda f: any(p.args.get("thread_ts") == card_ts for p in _posts(slack, channel))
    )
    (summary,) = [p for p in _posts(slack, channel) if p.args.get("thread_ts") == card_ts]
    assert "2 firing, 0 resolved" in summary.args["text"]
    web1_resolved = {**web1, "status": "resolved", "endsAt": _iso(start + timedelta(minutes=15))}
    sender.alertmanager(am_payload("HighLatency", [web1_resolved, web2], **common))

    def summary_says(text: str) -> Any:
        return lambda f: text in f.channels[channel].find(summary.response["ts"])["text"]

    slack.fake.wait_for(summary_says("1 firing, 1 resolved"), timeout=15)
    posts_before = len(_posts(slack, channel))
    web2_resolved = {**web2, "status": "resolved", "endsAt": _iso(start + timedelta(minutes=16))}
    everything = am_payload("HighLatency", [web1_resolved, web2_resolved], **common)
    sender.alertmanager(everything)
    slack.fake.wait_for(
        lambda f: any("All alerts resolved" in p.args["text"] for p in _posts(slack, channel)),
        timeout=15,
    )
    slack.fake.wait_for(summary_says("0 firing, 2 resolved"), timeout=15)
    assert sender.alertmanager(everything).body["outcome"] == "duplicate"
    everything["receiver"] = "another-replica"  # a different body, the same states
    assert sender.alertmanager(everything).body["outcome"] == "recorded"
    assert changed_by(slack.deps.db)[-1] == 0
    incident = _incident(slack)
    assert incident.status != "resolved" and incident.resolved_at is None, "alerts never resolve it"
    notices = [p for p in _posts(slack, channel) if "All alerts resolved" in p.args["text"]]
    assert len(notices) == 1 and len(_posts(slack, channel)) == posts_before + 1
    alert_entries = [e for e in incident.timeline if e.kind == "alert"]
    assert [e.text.split(":")[0] for e in alert_entries] == [
        "Alert firing",
        "Alert firing",
        "Alert resolved",
        "Alert resolved",
    ]
    assert all(e.source == "alertmanager" for e in alert_entries)
    assert alert_entries[2].at == start + timedelta(minutes=15), "at the alert's own end time"
    # The notice's button resolves it when a person decides.
    slack.driver.block_action(
        ids.CARD_RESOLVE, "1", "U2", channel=channel, message_ts=notices[0].response["ts"]
    )
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))  # what fixed it?
    slack.driver.view_submission(
        ids.RESOLVE_MODAL, {ids.RESOLUTION_INPUT: "Scaled the pool back up"}, user="U2"
    )
    slack.fake.wait_for(lambda f: _incident(slack).status == "resolved", timeout=15)
    assert _incident(slack).resolution == "Scaled the pool back up"
    slack.fake.assert_no_violations()


def _pd(kind: str, at: datetime, created: datetime) -> bytes:
    body = fixture_json(f"pagerduty/{kind}.json")
    body["event"]["occurred_at"] = _iso(at)
    body["event"]["data"]["created_at"] = _iso(created)
    return json.dumps(body, separators=(",", ":")).encode()


def test_pagerduty_acknowledgement_sets_acknowledged(alerting: Any) -> None:
    slack, sender, _ = alerting
    created = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    assert sender.pagerduty(_pd("triggered", created, created)).status == 200
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"), timeout=15)
    slack.fake.wait_for(lambda f: _incident(slack).detected_at is not None, timeout=15)
    acked_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=1)
    assert sender.pagerduty(_pd("acknowledged", acked_at, created)).status == 200
    slack.fake.wait_for(lambda f: _incident(slack).acknowledged_at is not None, timeout=15)
    incident = _incident(slack)
    assert (incident.title, incident.severity) == ("A little bump in the road", "sev2")
    assert incident.started_at == created and incident.acknowledged_at == acked_at
    (ack,) = [e for e in incident.timeline if e.text.startswith("Marked acknowledged")]
    assert ack.source == "pagerduty"
    assert ack.text == "Marked acknowledged — acknowledged in PagerDuty by Tenex Engineer"
    assert sender.pagerduty(_pd("resolved", acked_at + timedelta(minutes=5), created)).status == 200
    channel = incident.channel_id
    slack.fake.wait_for(
        lambda f: any("All alerts resolved" in p.args["text"] for p in _posts(slack, channel)),
        timeout=15,
    )
    assert _incident(slack).resolved_at is None


def test_ignore_and_triage_rules(alerting: Any) -> None:
    slack, sender, triage = alerting
    storage = slack.fake.add_channel("storage-alerts", members=["UBOT", "U1"])
    sender.alertmanager(am_payload("Watchdog", [am_alert("Watchdog")]))
    sender.generic(
        {"title": "Disk full", "status": "firing", "dedup_key": "d1", "labels": {"team": "storage"}}
    )
    slack.fake.wait_for(lambda f: triage_posts(f, storage), timeout=15)
    assert not triage_posts(slack.fake, triage)

    def groups_by_rule() -> dict[str | None, AlertGroup]:
        with slack.deps.db.unit_of_work() as session:
            return {g.rule: g for g in session.scalars(select(AlertGroup))}

    slack.fake.wait_for(lambda f: groups_by_rule()["storage team"].message_ts, timeout=15)
    groups = groups_by_rule()
    assert groups["noise"].action == "ignore" and groups["noise"].message_ts is None
    assert groups["storage team"].message_channel == storage
    with slack.deps.db.unit_of_work() as session:
        assert not session.scalars(select(TimelineEntry)).all()


def test_stats_say_which_milestones_came_from_alerts(alerting: Any) -> None:
    slack, sender, _ = alerting
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    page = am_alert("HighLatency", at=start, service="checkout", severity="critical")
    common = {"service": "checkout", "severity": "critical"}
    assert sender.alertmanager(am_payload("HighLatency", [page], **common)).status == 200
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"), timeout=15)
    slack.fake.wait_for(lambda f: _incident(slack).started_at is not None, timeout=15)
    typed = slack.declare("Typed by a person", user="U1")
    slack.command("started at 00:00", user="U1", channel=typed)
    slack.fake.wait_for(
        lambda f: any(
            "Marked started" in str(c.args)
            for c in f.calls_to("chat.postMessage")
            if c.args["channel"] == typed
        )
    )
    slack.forget_replies()
    slack.command("stats all", user="U1")
    slack.fake.wait_for(lambda f: f.responses, what="the stats")
    shown = json.dumps(slack.fake.responses)
    line = "Milestones from alerts: started 1 of 2, detected 1 of 1; the rest were typed."
    assert line in shown, shown[:2000]
