"""Storms, resends and replicas: unique keys decide, Slack is paced, no alert state is lost."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from bot.models import Alert, AlertGroup, Incident
from tests.support.alerts import (
    PD_SECRET,
    TOKEN,
    AlertSender,
    am_alert,
    am_payload,
    changed_by,
    counts,
    fixture,
    start_alerting,
    triage_posts,
)

GROUPS, PER_GROUP = 20, 50  # 1,000 alerts


def _storm_payloads(start: datetime) -> list[list[dict[str, Any]]]:
    """Round by round, as Alertmanager sends: each notification carries its group's alerts so
    far; in the last ten rounds the oldest alerts resolve."""
    rounds: list[list[dict[str, Any]]] = []
    for n in range(1, PER_GROUP + 1):
        batch = []
        for g in range(GROUPS):
            alerts = [
                am_alert(f"Storm{g}", at=start + timedelta(seconds=i), instance=f"host-{i}")
                for i in range(n)
            ]
            if n > PER_GROUP - 10:  # resolve the oldest half step by step
                for alert in alerts[: (n - (PER_GROUP - 10)) * (PER_GROUP // 20)]:
                    alert["status"] = "resolved"
                    alert["endsAt"] = (start + timedelta(minutes=5)).isoformat()
            batch.append(am_payload(f"Storm{g}", alerts))
        rounds.append(batch)
    return rounds


def test_a_storm_gives_one_message_per_group_within_rate_limits(
    make_slack: Any, fake_slack: Any
) -> None:
    fake_slack.enforce_rate_limits()
    slack, sender, channel = start_alerting(make_slack, fake_slack)
    rounds = _storm_payloads(datetime.now(UTC) - timedelta(minutes=30))
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:  # 1,000 notifications, eight at a time
        for batch in rounds:
            answers = list(pool.map(sender.alertmanager, batch))
            assert {a.status for a in answers} == {200}
    assert counts(slack.deps.db) == {
        "groups": GROUPS,
        "alerts": GROUPS * PER_GROUP,
        "notifications": GROUPS * PER_GROUP,
    }
    resolved = (PER_GROUP - (PER_GROUP - 10)) * (PER_GROUP // 20)  # 25 of 50 per group

    def all_final(f: Any) -> bool:
        posts = triage_posts(f, channel)
        if len(posts) < GROUPS:
            return False
        texts = [f.channels[channel].find(p.response["ts"])["text"] for p in posts]
        return all(f"({PER_GROUP - resolved} firing, {resolved} resolved)" in t for t in texts)

    sent = time.monotonic() - began
    slack.fake.wait_for(all_final, timeout=180, what="every triage message at its final state")
    print(  # the numbers the README quotes (pytest -s shows them)
        f"storm: 1,000 notifications sent in {sent:.1f}s; Slack final "
        f"{time.monotonic() - began:.1f}s after the first; "
        f"{len(slack.fake.calls_to('chat.update'))} chat.update calls"
    )
    assert len(triage_posts(slack.fake, channel)) == GROUPS, "one message per group, ever"
    limited = slack.fake.rate_limited_calls()
    assert limited == [], f"{len(limited)} calls went over Slack's rate limits"
    updates = len(slack.fake.calls_to("chat.update"))
    assert updates < GROUPS * PER_GROUP / 5, f"edits coalesce: {updates} for 1,000 notifications"
    with slack.deps.db.unit_of_work() as session:
        firing = session.scalar(
            select(func.count()).select_from(Alert).where(Alert.status == "firing")
        )
    assert firing == GROUPS * (PER_GROUP - resolved), "no alert state lost"
    slack.fake.assert_no_violations()


def test_resends_change_nothing(make_slack: Any, fake_slack: Any) -> None:
    slack, sender, channel = start_alerting(make_slack, fake_slack)
    body = fixture("alertmanager/firing.json")
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: sender.alertmanager(body), range(6)))
    outcomes = sorted(a.body["outcome"] for a in answers)
    assert outcomes == ["duplicate"] * 5 + ["recorded"]
    pd = fixture("pagerduty/triggered.json")
    assert sender.pagerduty(pd).body["outcome"] == "recorded"
    assert sender.pagerduty(pd).body["outcome"] == "duplicate"
    assert counts(slack.deps.db) == {"groups": 2, "alerts": 3, "notifications": 2}
    # An older state arriving late (a retry after a newer one) is ignored.
    resolved = fixture("alertmanager/one-resolved.json")
    assert sender.alertmanager(resolved).body["outcome"] == "recorded"
    older = json.loads(body)
    older["receiver"] = "the-same-but-retried"
    assert sender.alertmanager(older).body["outcome"] == "recorded"
    assert changed_by(slack.deps.db) == [2, 1, 1, 0], "the late older state changed nothing"
    with slack.deps.db.unit_of_work() as session:
        states = dict(session.execute(select(Alert.fingerprint, Alert.status)).all())
    assert states["6633c604e1f00732"] == "resolved"
    slack.fake.wait_for(lambda f: len(triage_posts(f, channel)) == 2, timeout=15)


RULE = "alerts:\n  rules:\n    - match: {source: generic}\n      declare: {severity: sev2}\n"


def test_two_replicas_on_one_database(make_slack: Any, fake_slack: Any, tmp_path: Path) -> None:
    (tmp_path / "rules.yml").write_text(RULE)
    first, sender_a, channel = start_alerting(
        make_slack, fake_slack, INCIDENT_CONFIG=str(tmp_path / "rules.yml")
    )
    second = make_slack(
        INCIDENT_WEBHOOK_TOKEN=TOKEN,
        INCIDENT_PAGERDUTY_SECRET=PD_SECRET,
        INCIDENT_ALERT_CHANNEL=channel,
        INCIDENT_CONFIG=str(tmp_path / "rules.yml"),
    )
    replicas = [sender_a, AlertSender(second.url)]
    start = datetime.now(UTC) - timedelta(minutes=10)
    same = [am_payload(f"Race{i}", [am_alert(f"Race{i}", at=start)]) for i in range(10)]
    # Different notifications of one new generic group, racing to create it and declare.
    generic = [
        {"title": "Queue stuck", "status": "firing", "dedup_key": "queue", "labels": {"n": str(i)}}
        for i in range(2)
    ]
    barrier = threading.Barrier(2)

    def both(index: int) -> list[Any]:
        sender = replicas[index]
        out = []
        for body in same:
            barrier.wait()
            out.append(sender.alertmanager(body))
        barrier.wait()
        out.append(sender.generic(generic[index]))
        return out

    with ThreadPoolExecutor(max_workers=2) as pool:
        a, b = pool.map(both, range(2))
    pairs = [
        sorted((x.body["outcome"], y.body["outcome"])) for x, y in zip(a[:-1], b[:-1], strict=True)
    ]
    assert pairs == [["duplicate", "recorded"]] * len(same), "the unique key decides, not timing"
    assert {a[-1].body["outcome"], b[-1].body["outcome"]} == {"recorded"}
    assert counts(first.deps.db) == {"groups": 11, "alerts": 11, "notifications": 12}
    first.fake.wait_for(lambda f: len(triage_posts(f, channel)) == 10, timeout=30)

    def queue() -> AlertGroup:
        with first.deps.db.unit_of_work() as session:
            return session.scalars(select(AlertGroup).where(AlertGroup.source == "generic")).one()

    first.fake.wait_for(lambda f: queue().incident_id, timeout=30, what="the incident linked")
    with first.deps.db.unit_of_work() as session:
        incidents = session.scalars(select(Incident)).all()
    assert len(incidents) == 1 and queue().incident_id == incidents[0].id, "one group, one incident"
    assert len(first.fake.calls_to("conversations.create")) == 1
    assert len(triage_posts(first.fake, channel)) == 10, "each group posted by one replica only"
