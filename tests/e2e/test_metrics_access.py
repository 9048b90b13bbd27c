"""Who may read GET /metrics, and what it never tells them."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from email.message import Message
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select

from bot.models import ActionItem
from tests.support.harness import SlackHarness

TOKEN = "metrics-token-0123456789abcdef"


def _get(url: str, authorization: str | None = None) -> tuple[int, str, Message]:
    request = urllib.request.Request(url)
    if authorization is not None:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode(), answer.headers
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode(), err.headers


def test_with_a_token_metrics_needs_it_and_healthz_does_not(
    make_slack: Callable[..., SlackHarness],
) -> None:
    slack = make_slack(INCIDENT_METRICS_TOKEN=TOKEN)
    url = f"{slack.url}/metrics"
    for refused in (None, "Bearer wrong-token", f"Basic {TOKEN}", TOKEN, f"Bearer {TOKEN}x", ""):
        status, body, headers = _get(url, refused)
        assert status == 401, refused
        assert headers.get("WWW-Authenticate", "").startswith("Bearer")
        assert "incident_bot" not in body
    for accepted in (f"Bearer {TOKEN}", f"bearer {TOKEN}"):
        status, body, _ = _get(url, accepted)
        assert status == 200 and "incident_bot_open_incidents" in body
    assert _get(f"{slack.url}/healthz")[0] == 200


def test_without_a_token_metrics_is_open(slack: SlackHarness) -> None:
    status, body, _ = _get(f"{slack.url}/metrics")
    assert status == 200 and "incident_bot_database_up 1.0" in body


def test_with_a_port_of_its_own_the_public_port_has_no_metrics(
    make_slack: Callable[..., SlackHarness],
) -> None:
    """The listener on that port is started by `serve` (see tests/e2e/test_cli.py)."""
    slack = make_slack(INCIDENT_METRICS_PORT="127.0.0.1:9")
    assert _get(f"{slack.url}/metrics")[0] == 404
    assert _get(f"{slack.url}/healthz")[0] == 200


PEOPLE = ("UQUOKKA7", "UNARWHAL9", "UPANGOLIN3", "UAXOLOTL5")
WORDS = ("zanzibar", "quokka", "meltdown", "obsidian", "narwhal", "capacitor", "wombatize")


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_labels_never_carry_titles_channel_names_or_people(slack: SlackHarness) -> None:
    for uid in PEOPLE:
        slack.fake.add_user(uid, name=uid.lower())
    public = slack.declare("Zanzibar quokka meltdown", user="UQUOKKA7", flags="sev2")
    private = slack.declare("Obsidian narwhal leak", user="UNARWHAL9", flags="sev1 --private")
    for text in (
        "role scribe <@UPANGOLIN3>",
        "action Replace the quokka capacitor <@UAXOLOTL5>",
        "note Zanzibar quokka meltdown continues",
        "wombatize now",  # an unknown subcommand
    ):
        slack.command(text, user="UQUOKKA7", channel=public)
    slack.command("severity sev3", user="UNARWHAL9", channel=private)
    slack.command("stats", user="UNARWHAL9")

    def action_stored(_fake: Any) -> bool:
        with slack.deps.db.unit_of_work() as session:
            return session.scalar(select(ActionItem.id)) is not None

    slack.fake.wait_for(action_stored)
    slack.fake.wait_for(lambda f: any("Incident stats" in t for t in slack.ephemerals()))
    slack.fake.wait_for(lambda f: any(":memo:" in t for t in slack.posts(public)))
    slack.fake.wait_for(lambda f: any("sev3" in t for t in slack.posts(private)))
    slack.fake.wait_for(lambda f: any(c.args.get("users") == "UPANGOLIN3" for c in f.calls))
    status, text, _ = _get(f"{slack.url}/metrics")
    assert status == 200
    channels = [slack.fake.channels[cid] for cid in (public, private)]
    secrets = [*PEOPLE, *WORDS, public, private, *(c.name for c in channels)]
    assert all(len(s) >= 6 for s in secrets)  # long enough not to match by chance
    shown = text.lower()
    assert [s for s in secrets if s.lower() in shown] == []
    # ... and yet the exposition does count what happened:
    got = _samples(text)
    declared = {k[1]: v for k, v in got.items() if k[0] == "incident_bot_incidents_declared_total"}
    assert declared[(("severity", "sev2"),)] == 1 and declared[(("severity", "sev3"),)] == 1
    assert got[("incident_bot_open_action_items", ())] == 1
    assert ("incident_bot_command_duration_seconds_count", (("subcommand", "role"),)) in got
