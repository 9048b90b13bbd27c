"""Triage in Slack: one message per alert group, edited in place; Declare, Attach, Ignore."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from bot.models import AlertGroup, Incident, TimelineEntry
from bot.slack import ids
from tests.support.alerts import (
    AlertSender,
    am_alert,
    am_payload,
    fixture,
    fixture_json,
    start_alerting,
    triage_posts,
)


@pytest.fixture
def alerting(make_slack: Any, fake_slack: Any) -> tuple[Any, AlertSender, str]:
    return start_alerting(make_slack, fake_slack)


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _stored(fake: Any, channel: str, ts: str) -> dict[str, Any]:
    with fake.lock:
        return dict(fake.channels[channel].find(ts))


def _message(slack: Any, channel: str) -> tuple[str, dict[str, Any]]:
    """The triage message (there must be exactly one) and what it shows now."""
    (post,) = triage_posts(slack.fake, channel)
    ts = post.response["ts"]
    return ts, _stored(slack.fake, channel, ts)


def _wait_text(slack: Any, channel: str, needle: str) -> dict[str, Any]:
    def shows(_f: Any) -> bool:
        posts = triage_posts(slack.fake, channel)
        return bool(posts) and needle in _dump(_message(slack, channel)[1])

    slack.fake.wait_for(shows, timeout=15, what=f"triage message showing {needle!r}")
    return _message(slack, channel)[1]


def _group(slack: Any) -> AlertGroup:
    with slack.deps.db.unit_of_work() as session:
        return session.scalars(select(AlertGroup)).one()


def test_one_message_per_group_updated_in_place(alerting: Any) -> None:
    slack, sender, channel = alerting
    assert sender.alertmanager(fixture("alertmanager/firing.json")).status == 200
    shown = _wait_text(slack, channel, "2 firing")
    text = _dump(shown)
    assert "FIRING: Checkout p99 latency above 2s" in text
    assert "`instance=web-1:9090`" in text and "`instance=web-2:9090`" in text
    assert "http://prometheus.example:9090/graph" in text  # the link to the source
    assert "Declare incident" in text and "Attach to incident" in text and "Ignore" in text
    assert sender.alertmanager(fixture("alertmanager/one-resolved.json")).status == 200
    _wait_text(slack, channel, "1 firing")
    everything = fixture_json("alertmanager/one-resolved.json")
    everything["alerts"][1].update(status="resolved", endsAt="2026-11-27T08:31:20Z")
    everything["status"] = "resolved"
    assert sender.alertmanager(everything).status == 200
    shown = _wait_text(slack, channel, "RESOLVED: Checkout p99")
    assert "*0 firing* · 2 resolved" in _dump(shown)
    assert len(triage_posts(slack.fake, channel)) == 1, "never a new message per notification"
    assert len(slack.fake.calls_to("chat.update")) >= 1
    slack.fake.assert_no_violations()


def test_groups_each_get_their_own_message(alerting: Any) -> None:
    slack, sender, channel = alerting
    for group in ("DiskFull", "HighLatency", "DiskFull"):
        sender.alertmanager(am_payload(group, [am_alert(group, instance=f"{group}-1")]))
    slack.fake.wait_for(lambda f: len(triage_posts(f, channel)) == 2, timeout=15)
    texts = sorted(c.args["text"] for c in triage_posts(slack.fake, channel))
    assert texts[0].startswith("FIRING: DiskFull") and texts[1].startswith("FIRING: HighLatency")


def test_declare_button_opens_prefilled_modal_and_declares(alerting: Any) -> None:
    slack, sender, channel = alerting
    sender.alertmanager(fixture("alertmanager/firing.json"))
    ts = _wait_text(slack, channel, "2 firing")["ts"]
    group = _group(slack)
    slack.driver.block_action(ids.ALERT_DECLARE, user="U2", channel=channel, message_ts=ts)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    assert view["callback_id"] == ids.ALERT_DECLARE_MODAL
    assert "Checkout p99 latency above 2s" in _dump(view["blocks"])
    assert '"value": "sev1"' in _dump(view["blocks"][1])  # critical -> sev1 preselected
    values = {
        ids.TITLE_INPUT: {ids.TITLE_INPUT: {"type": "plain_text_input", "value": "Checkout slow"}},
        ids.SEVERITY_INPUT: {
            ids.SEVERITY_INPUT: {"type": "static_select", "selected_option": {"value": "sev2"}}
        },
        ids.PRIVATE_INPUT: {ids.PRIVATE_INPUT: {"type": "checkboxes", "selected_options": []}},
    }
    answer = slack.driver.view_submission(
        ids.ALERT_DECLARE_MODAL, values, user="U2", private_metadata=view["private_metadata"]
    )
    assert answer.status == 200
    shown = _wait_text(slack, channel, "Incident 1 by <@U2>")
    assert "Declare incident" not in _dump(shown), "decided: the buttons go"
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        entries = session.scalars(
            select(TimelineEntry).where(TimelineEntry.incident_id == incident.id)
        ).all()
        stored = session.get(AlertGroup, group.id)
        assert stored is not None and stored.incident_id == incident.id
    assert (incident.title, incident.severity, incident.commander) == (
        "Checkout slow",
        "sev2",
        "U2",
    )
    assert incident.started_at == group.started_at  # the earliest alert start
    assert incident.detected_at == group.first_seen_at  # the first notification
    assert incident.acknowledged_at is not None and incident.acknowledged_at >= group.first_seen_at
    milestones = {e.text.split(" — ")[0]: e for e in entries if e.kind == "milestone"}
    assert milestones["Marked started"].source == "alertmanager"
    assert "earliest alert start (Alertmanager)" in milestones["Marked started"].text
    assert "first Alertmanager notification" in milestones["Marked detected"].text
    acked = milestones["Marked acknowledged"]
    assert (acked.source, acked.author) == ("alert-triage", "U2")
    assert [e.text for e in entries if e.kind == "alert"] == [
        "Alert firing: HighLatency (severity=critical, service=checkout, instance=web-1:9090)"
        " — from Alertmanager",
        "Alert firing: HighLatency (severity=critical, service=checkout, instance=web-2:9090)"
        " — from Alertmanager",
    ]
    slack.fake.wait_for(
        lambda f: any(
            "Incident 1 declared" in c.args.get("text", "") for c in f.calls_to("chat.postMessage")
        )
    )
    slack.fake.assert_no_violations()


def _open_incident(slack: Any, title: str, user: str, flags: str = "") -> str:
    return str(slack.declare(title, user=user, flags=flags))


def test_attach_offers_only_incidents_the_person_may_see(alerting: Any) -> None:
    slack, sender, channel = alerting
    _open_incident(slack, "Payments down", "U1")
    _open_incident(slack, "Secret thing", "U3", "--private")
    sender.generic(fixture("generic/firing.json"))
    ts = _wait_text(slack, channel, "Disk almost full")["ts"]
    slack.driver.block_action(ids.ALERT_ATTACH, user="U1", channel=channel, message_ts=ts)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    offered = _dump(view["blocks"])
    assert "Payments down" in offered and "Secret thing" not in offered
    with slack.deps.db.unit_of_work() as session:
        public = session.scalars(select(Incident).where(Incident.number == 1)).one()
    values = {
        ids.INCIDENT_INPUT: {
            ids.INCIDENT_INPUT: {
                "type": "static_select",
                "selected_option": {"value": str(public.id)},
            }
        }
    }
    slack.driver.view_submission(
        ids.ALERT_ATTACH_MODAL, values, user="U1", private_metadata=view["private_metadata"]
    )
    _wait_text(slack, channel, "Incident 1 by <@U1>")
    with slack.deps.db.unit_of_work() as session:
        incident = session.get(Incident, public.id)
        kinds = [e.kind for e in incident.timeline]
        assert incident.started_at is not None and incident.started_at.isoformat().startswith(
            "2026-11-27T07:55"
        )
    assert kinds.count("alert") == 1


def test_attaching_to_a_private_incident_does_not_name_it(alerting: Any) -> None:
    slack, sender, channel = alerting
    _open_incident(slack, "Secret thing", "U1", "--private")
    sender.generic(fixture("generic/firing.json"))
    ts = _wait_text(slack, channel, "Disk almost full")["ts"]
    slack.driver.block_action(ids.ALERT_ATTACH, user="U1", channel=channel, message_ts=ts)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
    values = {
        ids.INCIDENT_INPUT: {
            ids.INCIDENT_INPUT: {
                "type": "static_select",
                "selected_option": {"value": str(incident.id)},
            }
        }
    }
    slack.driver.view_submission(
        ids.ALERT_ATTACH_MODAL, values, user="U1", private_metadata=view["private_metadata"]
    )
    shown = _dump(_wait_text(slack, channel, "Attached to a private incident"))
    assert "Secret thing" not in shown and incident.channel_id not in shown


def test_a_stranger_cannot_attach_to_someone_elses_private_incident(alerting: Any) -> None:
    slack, sender, channel = alerting
    _open_incident(slack, "Secret thing", "U3", "--private")
    sender.generic(fixture("generic/firing.json"))
    ts = _wait_text(slack, channel, "Disk almost full")["ts"]
    slack.driver.block_action(ids.ALERT_ATTACH, user="U1", channel=channel, message_ts=ts)
    slack.fake.wait_for(lambda f: f.calls_to("chat.postEphemeral"))
    (said,) = slack.fake.calls_to("chat.postEphemeral")
    assert "no open incidents you can see" in said.args["text"]
    assert not slack.fake.calls_to("views.open")
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
    forged = {  # a hand-made submission naming the private incident is refused too
        ids.INCIDENT_INPUT: {
            ids.INCIDENT_INPUT: {
                "type": "static_select",
                "selected_option": {"value": str(incident.id)},
            }
        }
    }
    slack.driver.view_submission(
        ids.ALERT_ATTACH_MODAL,
        forged,
        user="U1",
        private_metadata=json.dumps({"group": _group(slack).id}),
    )
    slack.fake.wait_for(lambda f: f.calls_to("conversations.open"))
    assert _group(slack).incident_id is None


def test_ignore_says_who_and_keeps_following_the_alerts(alerting: Any) -> None:
    slack, sender, channel = alerting
    sender.alertmanager(fixture("alertmanager/firing.json"))
    ts = _wait_text(slack, channel, "2 firing")["ts"]
    slack.driver.block_action(ids.ALERT_IGNORE, user="U2", channel=channel, message_ts=ts)
    shown = _dump(_wait_text(slack, channel, "Ignored by <@U2>"))
    assert "Declare incident" not in shown
    sender.alertmanager(fixture("alertmanager/one-resolved.json"))
    _wait_text(slack, channel, "1 firing")
    assert len(triage_posts(slack.fake, channel)) == 1
