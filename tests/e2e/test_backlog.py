"""Bounded work after acks: past INCIDENT_WORK_QUEUE_MAX the bot still acks at once and says
clearly that nothing was run; an event is refused for Slack to deliver again; /metrics shows
the queue's depth and the age of its oldest item."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.support.harness import SlackHarness


def _gauges(slack: SlackHarness) -> dict[str, float]:
    with urllib.request.urlopen(f"{slack.url}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        s.name: s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name.startswith("incident_bot_work_")
    }


def test_full_queue_acks_refuses_clearly_and_shows_in_metrics(
    make_slack: Callable[..., Any],
) -> None:
    slack: SlackHarness = make_slack(INCIDENT_WORKER_THREADS=1, INCIDENT_WORK_QUEUE_MAX=2)
    slack.fake.slow("conversations.create", 1.5)  # each declare holds the one worker a while
    for n in range(3):  # one running, two queued: the queue is full
        assert slack.command(f"declare Queued {n}").status == 200
    slack.fake.wait_for(lambda f: slack.work.depth() == 2, timeout=5)
    gauges = _gauges(slack)
    assert gauges["incident_bot_work_queue_depth"] == 2
    assert gauges["incident_bot_work_queue_oldest_seconds"] > 0

    refused = slack.command("declare One too many")
    assert refused.status == 200 and refused.elapsed < 1.0
    line = refused.json()["text"]
    assert "not run and nothing changed" in line and "try again in a minute" in line
    event = slack.driver.app_home_opened("U1")
    assert event.status == 503, "an event is refused, so that Slack delivers it again"

    slack.fake.slow("conversations.create", 0)
    slack.fake.wait_for(lambda f: len(f.calls_to("conversations.create")) == 3, timeout=15)
    slack.fake.wait_for(lambda f: slack.work.depth() == 0)
    assert _gauges(slack)["incident_bot_work_refused_total"] >= 2
    created = [c.args["name"] for c in slack.fake.calls_to("conversations.create")]
    assert not [name for name in created if "too-many" in name]
