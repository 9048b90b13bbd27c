"""Privacy everywhere: a private incident's title, channel, people, timeline and items never
reach a non-member, on any surface that exists. One row per surface: a non-member (U9) looks,
and nothing of the private incident is in what they were shown (replies, ephemerals, DMs,
their Home tab, posts in the channels they are in — the announce and digest channel)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest

from bot.config import parse_schedule
from bot.scheduling.cadence import digest_moment
from bot.scheduling.runner import run_due
from bot.slack import ids
from tests.support.alerts import AlertSender, fixture, start_alerting
from tests.support.harness import SlackHarness
from tests.support.seen import leaks, shown_to
from tests.support.statuspage import PAGES, get

SECRET = "Quetzal ledger tampering"
PUBLIC = "Checkout outage in eu-west"
NON_MEMBER = "U9"
MEMBERS = ["U1", "U2"]  # the private incident's commander and scribe


@pytest.fixture
def slack(make_slack: Callable[..., SlackHarness], fake_slack: Any) -> SlackHarness:
    """The app with the alert endpoints and the status page on: both are surfaces."""
    harness, _sender, alerts = start_alerting(make_slack, fake_slack, INCIDENT_STATUS_PAGE=True)
    fake_slack.channels[alerts].members.add(NON_MEMBER)
    return harness


@dataclass
class World:
    private: str
    public: str
    secrets: list[str]


def _world(slack: SlackHarness) -> World:
    slack.fake.add_user(NON_MEMBER, "mallory")
    slack.fake.channels[slack.announce].members.update({NON_MEMBER, "U4"})
    private = slack.declare(f"sev2 {SECRET}", user="U1", flags="--private")
    due = (date.today() + timedelta(days=1)).isoformat()
    for text in (
        "role scribe <@U2>",
        "note the ledger diff shows 14 forged rows",
        "decision freeze payouts because the ledger is untrusted",
        f"action Audit every payout since June <@U2> due {due}",
    ):
        slack.command(text, user="U1", channel=private)
    # The private item must be AI-1 (the rows below name it): commands run concurrently.
    slack.fake.wait_for(lambda f: any("Added AI-1" in t for t in slack.ephemerals()), what="AI-1")
    public = slack.declare(PUBLIC, user="U4")
    slack.command(f"action Add a canary stage <@U4> due {due}", user="U4", channel=public)
    for reply in ("Added AI-1", "Added AI-2", "Incident 2 declared"):
        slack.fake.wait_for(lambda f, r=reply: any(r in t for t in slack.ephemerals()), what=reply)
    secrets = [
        SECRET,
        slack.fake.channels[private].name,
        private,
        *MEMBERS,
        "14 forged rows",
        "freeze payouts",
        "Audit every payout",
    ]
    return World(private, public, secrets)


def _typed(text: str, channel: str | None = None) -> Callable[[SlackHarness, World], str]:
    def look(slack: SlackHarness, w: World) -> str:
        slack.forget_replies()
        before = len(slack.fake.responses)
        slack.command(text, user=NON_MEMBER, channel=channel or slack.announce)
        slack.fake.wait_for(lambda f: len(f.responses) > before, what=f"/incident {text}")
        return shown_to(slack.fake, NON_MEMBER)

    return look


def _private_channel_command(text: str) -> Callable[[SlackHarness, World], str]:
    def look(slack: SlackHarness, w: World) -> str:
        return _typed(text, w.private)(slack, w)

    return look


def timeline_page_button(slack: SlackHarness, w: World) -> str:
    slack.forget_replies()
    slack.driver.block_action(
        f"{ids.TIMELINE_PAGE}_1", value="1:1", user=NON_MEMBER, channel=slack.announce
    )
    slack.fake.wait_for(lambda f: f.responses)
    return shown_to(slack.fake, NON_MEMBER)


def app_home(slack: SlackHarness, w: World) -> str:
    slack.forget_replies()
    slack.driver.app_home_opened(NON_MEMBER)
    slack.fake.wait_for(lambda f: f.calls_to("views.publish"))
    return shown_to(slack.fake, NON_MEMBER)


def stats(slack: SlackHarness, w: World) -> str:
    shown = _typed("stats all")(slack, w)
    assert slack.fake.calls_to("files.completeUploadExternal"), "the chart went to the DM"
    return shown


def digest(slack: SlackHarness, w: World) -> str:
    """The weekly digest in the announce channel, with that sweep's reminders and nudges."""
    slack.forget_replies()
    day, at = parse_schedule(slack.settings.INCIDENT_DIGEST_SCHEDULE)
    monday = digest_moment(slack.clock() + timedelta(days=7), slack.settings.zone, day, at)
    sent = run_due(slack.deps, monday + timedelta(minutes=1))
    assert any(s.startswith("digest") for s in sent)
    return shown_to(slack.fake, NON_MEMBER)


def announcements(slack: SlackHarness, w: World) -> str:
    """Declared (during the set-up) and resolved."""
    slack.fake.wait_for(lambda f: len(slack.posts(slack.announce)) >= 2, what="both declared")
    declared = slack.posts(slack.announce)
    assert len(declared) == 2
    slack.forget_replies()
    slack.command("resolved Rotated the key", user="U1", channel=w.private)
    slack.fake.wait_for(lambda f: any("was resolved" in p for p in slack.posts(slack.announce)))
    return json.dumps(declared) + shown_to(slack.fake, NON_MEMBER)


def subscriptions(slack: SlackHarness, w: World) -> str:
    """Subscribing by number (refused for the private one), then both incidents change."""
    slack.forget_replies()
    for text in ("subscribe 1", "unsubscribe 1", "subscribe 2"):
        before = len(slack.fake.responses)
        slack.command(text, user=NON_MEMBER, channel=slack.announce)
        slack.fake.wait_for(lambda f, n=before: len(f.responses) > n, what=text)
    slack.command("severity sev1", user="U1", channel=w.private)
    slack.command("severity sev1", user="U4", channel=w.public)
    slack.fake.wait_for(lambda f: "Incident 2 (<#" in shown_to(f, NON_MEMBER), what="the DM")
    slack.idle()
    return shown_to(slack.fake, NON_MEMBER)


def catch_up(slack: SlackHarness, w: World) -> str:
    """Joining the public incident's channel: its catch-up, nothing of the private one."""
    slack.forget_replies()
    slack.fake.channels[w.public].members.add(NON_MEMBER)
    event = {"type": "member_joined_channel", "user": NON_MEMBER, "channel": w.public}
    slack.driver.event({**event, "channel_type": "C", "team": "T0TEST"})
    slack.fake.wait_for(lambda f: f.calls_to("chat.postEphemeral"), what="the catch-up")
    return shown_to(slack.fake, NON_MEMBER)


def alert_triage(slack: SlackHarness, w: World) -> str:
    """An alert's triage message, then Attach to incident: only the public incident offered."""
    slack.forget_replies()
    alerts = next(c.id for c in slack.fake.channels.values() if c.name == "alerts")
    assert AlertSender(slack.url).generic(fixture("generic/firing.json")).status == 200
    slack.fake.wait_for(
        lambda f: any(
            c.ok and c.args.get("channel") == alerts for c in f.calls_to("chat.postMessage")
        ),
        what="the triage message",
    )
    ts = next(
        c.response["ts"]
        for c in slack.fake.calls_to("chat.postMessage")
        if c.args.get("channel") == alerts
    )
    slack.driver.block_action(ids.ALERT_ATTACH, user=NON_MEMBER, channel=alerts, message_ts=ts)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"), what="the attach modal")
    return shown_to(slack.fake, NON_MEMBER)


def status_page(slack: SlackHarness, w: World) -> str:
    """A member tries to publish the private incident; the public pages, and what U9 saw."""
    slack.forget_replies()
    slack.command("update --public Payouts are delayed", user="U1", channel=w.private)
    slack.fake.wait_for(lambda f: any("is private" in t for t in slack.ephemerals()))
    pages = [get(slack.url, path).text for path in PAGES]
    return "\n".join(pages) + shown_to(slack.fake, NON_MEMBER)


CHANGE = "Only members of the private channel of incident 1 can"
Look = Callable[[SlackHarness, World], str]
SURFACES: list[tuple[str, Look | None, str]] = [
    ("/incident list", _typed("list"), PUBLIC),
    ("/incident timeline in the private channel", _private_channel_command("timeline"), CHANGE),
    ("timeline page button naming the private incident", timeline_page_button, "no incident 1"),
    ("App Home", app_home, PUBLIC),
    ("/incident stats: tables and chart", stats, "Includes 1 private incident"),
    ("weekly digest", digest, ":lock: *AI-1* (private incident)"),
    ("announcements: declared and resolved", announcements, "A private incident (1) was"),
    ("/incident actions all", _typed("actions all"), "Add a canary stage"),
    ("/incident done on the private item", _typed("done AI-1"), "There is no action item AI-1"),
    ("/incident postmortem in the private channel", _private_channel_command("postmortem"), CHANGE),
    # Surfaces that do not exist yet: each lands with its own issue, which adds its row here.
    ("exports run from Slack", None, "none today: `incident-bot export` is an operator's CLI"),
    ("subscribe and unsubscribe, then severity changes", subscriptions, "no incident 1."),
    ("catch-up on joining the public incident's channel", catch_up, "Catching up on incident 2"),
    ("alert triage: the message and Attach to incident", alert_triage, PUBLIC),
    ("status page: /status, feed, summary.json", status_page, "All systems operational"),
]


@pytest.mark.parametrize(("surface", "look", "expected"), SURFACES, ids=[s[0] for s in SURFACES])
def test_a_non_member_sees_nothing_of_a_private_incident(
    slack: SlackHarness, surface: str, look: Look | None, expected: str
) -> None:
    if look is None:
        pytest.skip(f"TODO {surface}: {expected}")
    world = _world(slack)
    shown = look(slack, world)
    assert expected in shown, f"{surface}: the non-member was shown what they may see"
    assert leaks(shown, world.secrets) == [], f"{surface} leaks the private incident"
    slack.fake.assert_no_violations()
