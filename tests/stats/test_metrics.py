"""/metrics: database gauges, counters and histograms, plus the process instruments."""

from __future__ import annotations

import urllib.request
from datetime import UTC, date, datetime, timedelta

from prometheus_client.parser import text_string_to_metric_families

from bot.config import load_settings
from bot.db import Database
from bot.models import ActionItem
from bot.slack.port import Notifier, slack_client
from bot.stats.metrics import exposition
from bot.wiring import Deps
from tests.support.harness import SlackHarness
from tests.support.stats_factory import add_incident

NOW = datetime(2026, 11, 26, 15, 0, tzinfo=UTC)
H = timedelta(hours=1)


def _deps(db: Database) -> Deps:
    settings = load_settings(DATABASE_URL=db.url, INCIDENT_TIMEZONE="Europe/Berlin")
    notifier = Notifier(slack_client("xoxb-unused", "http://127.0.0.1:9/api/"))
    return Deps(settings=settings, db=db, notifier=notifier, clock=lambda: NOW)


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample as {(name, sorted labels): value}."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def types(text: str) -> dict[str, str]:
    return {f.name: f.type for f in text_string_to_metric_families(text)}


def _seed(db: Database) -> None:
    with db.unit_of_work() as s:
        add_incident(
            s,
            1,
            severity="sev1",
            declared=NOW - 3 * H,
            started=NOW - 4 * H,
            mitigated=NOW - 3 * H,
            resolved=NOW - 2 * H,
        )  # mitigate 1h, resolve 2h
        add_incident(
            s,
            2,
            severity="sev1",
            declared=NOW - 2 * H,
            resolved=NOW - 2 * H + timedelta(seconds=600),
        )
        add_incident(s, 3, severity="sev2", declared=NOW - H)  # open, investigating
        inc = add_incident(s, 4, severity="sev3", declared=NOW - H)
        inc.status = "identified"
        for n, (due, status) in enumerate(
            [
                (date(2026, 11, 25), "open"),
                (date(2026, 11, 26), "open"),
                (None, "open"),
                (date(2026, 11, 1), "done"),
            ]
        ):
            s.add(ActionItem(text=f"a{n}", due=due, status=status, created_by="U1", created_at=NOW))


def test_database_metrics(db: Database) -> None:
    _seed(db)
    body, content_type = exposition(_deps(db))
    assert content_type.startswith("text/plain")
    text = body.decode()
    got = samples(text)
    kinds = types(text)
    assert kinds["incident_bot_incidents_declared"] == "counter"
    assert kinds["incident_bot_open_incidents"] == "gauge"
    assert kinds["incident_bot_time_to_resolve_seconds"] == "histogram"
    assert 'incident_bot_incidents_declared_total{severity="sev1"} 2.0' in text
    assert got[("incident_bot_incidents_declared_total", (("severity", "sev4"),))] == 0
    open_ = "incident_bot_open_incidents"
    assert got[(open_, (("severity", "sev2"), ("status", "investigating")))] == 1
    assert got[(open_, (("severity", "sev3"), ("status", "identified")))] == 1
    assert got[(open_, (("severity", "sev1"), ("status", "investigating")))] == 0
    ttr = "incident_bot_time_to_resolve_seconds"
    sev1 = ("severity", "sev1")
    assert got[(f"{ttr}_count", (sev1,))] == 2
    assert got[(f"{ttr}_sum", (sev1,))] == 7200 + 600
    assert got[(f"{ttr}_bucket", (("le", "900.0"), sev1))] == 1
    assert got[(f"{ttr}_bucket", (("le", "3600.0"), sev1))] == 1
    assert got[(f"{ttr}_bucket", (("le", "7200.0"), sev1))] == 2
    assert got[(f"{ttr}_bucket", (("le", "+Inf"), sev1))] == 2
    ttm = "incident_bot_time_to_mitigate_seconds"
    assert got[(f"{ttm}_count", (sev1,))] == 1 and got[(f"{ttm}_sum", (sev1,))] == 3600
    assert got[(f"{ttm}_count", (("severity", "sev2"),))] == 0
    # due 2026-11-25 has passed in Berlin on the 26th; due today is not overdue yet
    assert got[("incident_bot_open_action_items", ())] == 3
    assert got[("incident_bot_overdue_action_items", ())] == 1
    assert got[("incident_bot_database_up", ())] == 1


def _scrape(slack: SlackHarness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """GET /metrics from the running app, as Prometheus would."""
    with urllib.request.urlopen(f"{slack.url}/metrics", timeout=10) as response:
        return samples(response.read().decode())


def test_process_instruments_count_what_the_app_did(slack: SlackHarness) -> None:
    """Drive real requests; each counter moves by exactly what happened (the instruments are
    per process and other tests move them too, so compare with a scrape taken before)."""
    before = _scrape(slack)
    channel = slack.declare("Metrics")  # its announcement is delivered from the outbox
    for n in range(3):
        slack.command(f"note look {n}", channel=channel)
        slack.fake.wait_for(lambda f, n=n: any(f"look {n}" in p for p in slack.posts(channel)))
    slack.fake.fail("chat.postMessage", error="channel_not_found", times=1, channel=channel)
    slack.command("note nobody sees this post", channel=channel)
    slack.fake.wait_for(lambda f: any("refused to show it" in t for t in slack.ephemerals()))
    slack.idle()
    after = _scrape(slack)

    def moved(name: str, **labels: str) -> float:
        key = (name, tuple(sorted(labels.items())))
        return after.get(key, 0.0) - before.get(key, 0.0)

    duration = "incident_bot_command_duration_seconds_count"
    assert (moved(duration, subcommand="note"), moved(duration, subcommand="declare")) == (4, 1)
    errors = "incident_bot_slack_api_errors_total"
    assert moved(errors, method="chat.postMessage", error="channel_not_found") == 1
    sent = "incident_bot_reminders_sent_total"
    assert moved(sent, kind="announce") == 1
    assert all(name.startswith("incident_bot_") for name, _labels in after)


def test_two_replicas_agree_and_a_dead_database_is_reported(db: Database) -> None:
    _seed(db)
    one, two = exposition(_deps(db))[0], exposition(_deps(Database(db.url)))[0]
    db_lines = [line for line in one.decode().splitlines() if "open_incidents" in line]
    assert db_lines and all(line in two.decode() for line in db_lines)
    broken = _deps(db)
    broken.db = Database("postgresql+psycopg://nobody@127.0.0.1:9/none")
    text = exposition(broken)[0].decode()
    assert samples(text)[("incident_bot_database_up", ())] == 0
