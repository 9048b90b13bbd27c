"""What people read: plurals, incident numbers that can't pass for counts, labels only when
someone chose them, emoji that mean what they show."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.scheduling.runner import run_due
from bot.slack import ids
from tests.support.harness import SlackHarness
from tests.support.scheduling import posts_in

WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def _post_with(slack: SlackHarness, channel: str, text: str) -> str:
    slack.fake.wait_for(lambda f: any(text in p for p in slack.posts(channel)))
    return next(p for p in slack.posts(channel) if text in p)


def test_an_item_nobody_labelled_shows_no_type_or_priority(slack: SlackHarness) -> None:
    slack.clock = lambda: WEDNESDAY
    channel = slack.declare("Payments failing", user="U4")
    slack.command("action Add a canary stage <@U2> due friday", user="U4", channel=channel)
    echo = _post_with(slack, channel, "AI-1")
    assert echo.startswith(":clipboard: ")  # an open item, not a ✅
    assert echo.endswith("Action item AI-1: Add a canary stage — <@U2>, due Fri 2026-11-27")
    # The modal preselects nothing; what someone picks is shown.
    card = slack.fake.calls_to("pins.add")[-1].args["timestamp"]
    slack.driver.block_action(ids.CARD_ACTION_ITEM, user="U4", channel=channel, message_ts=card)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    assert "initial_option" not in json.dumps(view)
    slack.driver.view_submission(
        ids.ACTION_ITEM_MODAL,
        {ids.TEXT_INPUT: "Page the DB team sooner", ids.PRIORITY_INPUT: "high"},
        user="U4",
    )
    labelled = _post_with(slack, channel, "AI-2")
    assert "Action item AI-2 (high priority): Page the DB team sooner — no owner yet" in labelled


def test_counts_are_plural_only_when_more_than_one_and_numbers_say_incident(
    make_slack: object,
) -> None:
    slack: SlackHarness = make_slack(INCIDENT_NUDGE_SEV2="off", INCIDENT_NUDGE_UNOWNED="off")  # type: ignore[operator]
    slack.clock = lambda: WEDNESDAY
    channel = slack.declare("Payments failing", flags="sev2", user="U4")
    slack.forget_replies()
    slack.command("list", user="U4")
    slack.fake.wait_for(lambda f: f.responses)
    (_id, listing) = slack.fake.responses[-1]
    assert listing["text"] == "1 open incident"
    assert "*Incident 1* <#" in json.dumps(listing["blocks"])
    slack.command("action Add a canary stage <@U2> due 2026-12-01", user="U4", channel=channel)
    _post_with(slack, channel, "AI-1")
    run_due(slack.deps, datetime(2026, 11, 30, 9, 1, tzinfo=UTC))  # Monday's digest
    (digest,) = [p for p in posts_in(slack.fake, slack.announce) if "digest" in p.args["text"]]
    text = "\n".join(b["text"]["text"] for b in digest.args["blocks"] if b["type"] == "section")
    assert "*1 open action item*, 0 overdue · 0 closed this week · 1 incident declared" in text
    assert "• Incident 1 · SEV2 · Payments failing — declared 2026-11-25 10:00 UTC" in text
    assert date(2026, 12, 1).isoformat() in text
