"""`/incident stats` and GET /metrics end to end: signed HTTP into the app, fake Slack."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from tests.support.harness import SlackHarness
from tests.support.png import png_size

DECLARED = datetime(2026, 11, 20, 22, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
REPLAY = (
    ("started", "2026-11-20 22:10"),
    ("detected", "2026-11-20 22:25"),
    ("acknowledged", "2026-11-20 22:41"),
    ("mitigated", "2026-11-22 14:03"),
    ("resolved", "2026-11-23 08:05"),
)


def _stats_reply(slack: SlackHarness, before: int) -> dict[str, Any]:
    slack.fake.wait_for(lambda f: len(f.responses) > before, timeout=30)
    return slack.fake.responses[-1][1]


def test_replayed_incident_stats_chart_and_metrics(slack: SlackHarness) -> None:
    slack.clock = lambda: DECLARED
    channel = slack.declare("Replication lag", flags="sev2")
    slack.clock = lambda: LATER
    for name, at in REPLAY:
        slack.command(f"{name} at {at}", channel=channel)
        slack.fake.wait_for(lambda f, n=name: any(f"Marked {n}" in p for p in slack.posts(channel)))
    before = len(slack.fake.responses)
    assert slack.command("stats 7d", user="U2").status == 200
    reply = _stats_reply(slack, before)
    shown = str(reply["blocks"])
    assert reply["response_type"] == "ephemeral"
    assert "Incident stats · last 7 days" in shown and "*SEV2* · 1 incident" in shown
    # detect 15m, acknowledge 16m, mitigate 1d 15h 53m = 1.7d, resolve 2d 9h 55m = 2.4d
    for value in ("15m", "16m", "1.7d", "2.4d", "not enough incidents to tell"):
        assert value in shown
    slack.fake.wait_for(lambda f: f.calls_to("files.completeUploadExternal"))
    (upload,) = slack.fake.calls_to("files.completeUploadExternal")
    assert slack.fake.channels[upload.args["channel_id"]].dm_user == "U2"
    (stored,) = [f for f in slack.fake.files.values() if f.completed]
    assert png_size(stored.content or b"")[0] >= 800
    slack.fake.assert_no_violations()

    with urllib.request.urlopen(f"{slack.url}/metrics", timeout=10) as response:
        assert response.status == 200
        text = response.read().decode()
    got = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    sev2 = (("severity", "sev2"),)
    assert got[("incident_bot_incidents_declared_total", sev2)] == 1
    assert got[("incident_bot_time_to_resolve_seconds_sum", sev2)] == 2 * 86400 + 9 * 3600 + 3300
    assert got[("incident_bot_time_to_mitigate_seconds_sum", sev2)] == 86400 + 15 * 3600 + 3180
    assert got[("incident_bot_time_to_resolve_seconds_bucket", (("le", "259200.0"), *sev2))] == 1
    assert got[("incident_bot_time_to_resolve_seconds_bucket", (("le", "86400.0"), *sev2))] == 0
    assert ("incident_bot_command_duration_seconds_count", (("subcommand", "stats"),)) in got
    open_ = (("severity", "sev2"), ("status", "investigating"))
    assert got[("incident_bot_open_incidents", open_)] == 0


def test_bad_arguments_get_one_line(slack: SlackHarness) -> None:
    before = len(slack.fake.responses)
    slack.command("stats fortnight")
    slack.fake.wait_for(lambda f: len(slack.ephemerals()) > before, timeout=30)
    line = slack.ephemerals()[-1]
    assert "`fortnight`" in line and "/incident stats [7d|30d|90d|all] [sev1-4]" in line
    assert "\n" not in line
