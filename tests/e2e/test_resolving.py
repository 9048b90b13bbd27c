"""Resolve asks what fixed it (issue 13, point 7): the card's Resolve button and a bare
`/incident resolved` (or `status resolved`) open a modal; the summary goes on the timeline, the
resolve post, the announcement and the postmortem's Resolution. Over signed HTTP."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.drafting.render import render_incident
from bot.models import ActionItem, Incident
from bot.slack import ids
from tests.support.harness import SlackHarness

FIX = "Rolled back checkout 4.2 and drained the bad pods"


def _incident(slack: SlackHarness) -> Incident:
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        session.expunge_all()
        return incident


def _modals(slack: SlackHarness) -> list[str]:
    return [str(c.args["view"]["callback_id"]) for c in slack.fake.calls_to("views.open")]


def announcement_edits(slack: SlackHarness) -> list[Any]:
    """chat.update calls on the announcement (its channel and ts) that Slack accepted."""
    ts = _incident(slack).announce_ts
    return [
        c
        for c in slack.fake.calls_to("chat.update")
        if c.ok and c.args.get("channel") == slack.announce and c.args.get("ts") == ts
    ]


def test_resolve_button_asks_what_fixed_it_and_the_answer_goes_everywhere(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Checkout down")
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    slack.driver.block_action(ids.CARD_RESOLVE, "1", "U1", channel=channel, message_ts=card_ts)
    slack.fake.wait_for(lambda f: _modals(slack) == [ids.RESOLVE_MODAL])
    assert _incident(slack).is_open, "the button alone resolves nothing"
    slack.idle()
    before = len(slack.posts(channel))
    answer = slack.driver.view_submission(
        ids.RESOLVE_MODAL,
        {ids.RESOLUTION_INPUT: FIX, ids.FOLLOWUPS_INPUT: "Add a canary stage\n\n- Alert on 5xx"},
        user="U1",
    )
    assert answer.status == 200
    slack.fake.wait_for(lambda f: not _incident(slack).is_open)
    incident = _incident(slack)
    assert incident.resolution == FIX
    with slack.deps.db.unit_of_work() as session:
        entries = [(e.kind, e.text) for e in session.get(Incident, incident.id).timeline]
        items = [i.text for i in session.scalars(select(ActionItem).order_by(ActionItem.id))]
        draft = render_incident(session, session.get(Incident, incident.id), slack.settings)
    assert ("note", f"Resolution: {FIX}") in entries
    assert items == ["Add a canary stage", "Alert on 5xx"]
    # the resolve post in the channel, the resolution announcement, the edited announcement
    slack.fake.wait_for(lambda f: any(f"*Resolution:* {FIX}" in p for p in slack.posts(channel)))
    slack.fake.wait_for(
        lambda f: any(f"*Resolution:* {FIX}" in p for p in slack.posts(slack.announce))
    )
    slack.fake.wait_for(
        lambda f: any(FIX in str(c.args.get("blocks")) for c in announcement_edits(slack))
    )
    slack.idle()
    (post,) = slack.posts(channel)[before:]  # follow-ups, resolution, durations: one message
    assert "Add a canary stage" in post and "Marked resolved" in post and "Time to" in post
    resolution = draft.split("## Resolution", 1)[1].split("\n## ", 1)[0]
    assert f"What fixed it, as recorded at resolve: {FIX}." in resolution
    slack.fake.assert_no_violations()


def test_bare_resolved_and_status_resolved_open_the_same_modal(slack: SlackHarness) -> None:
    channel = slack.declare("Search slow")
    slack.command("resolved", channel=channel)
    slack.fake.wait_for(lambda f: _modals(slack) == [ids.RESOLVE_MODAL])
    slack.command("status resolved", channel=channel)
    slack.fake.wait_for(lambda f: _modals(slack) == [ids.RESOLVE_MODAL] * 2)
    assert _incident(slack).is_open
    blank = slack.driver.view_submission(ids.RESOLVE_MODAL, {ids.RESOLUTION_INPUT: " "})
    assert blank.json()["response_action"] == "errors"
    assert blank.json()["errors"] == {ids.RESOLUTION_INPUT: "The resolution summary is empty."}
    # typed with its summary: resolved at once, one path whichever word was typed
    slack.command("status resolved Restarted the search nodes", channel=channel)
    slack.fake.wait_for(lambda f: not _incident(slack).is_open)
    assert _incident(slack).resolution == "Restarted the search nodes"


def test_an_over_long_summary_gets_one_line_and_changes_nothing(slack: SlackHarness) -> None:
    channel = slack.declare("Queue stuck")
    slack.forget_replies()
    slack.command("resolved " + "x" * 1001, channel=channel)
    (line,) = slack.wait_reply()
    assert line == (
        "The resolution summary is 1001 characters; Slack allows 1000. Shorten it or split it. "
        "Use: `/incident resolved [at TIME] [WHAT FIXED IT]`"
    )
    assert _incident(slack).is_open and _incident(slack).resolution is None


def test_mitigated_moves_investigating_to_monitoring_on_card_and_topic(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Login errors")
    slack.command("mitigated", channel=channel)
    slack.fake.wait_for(lambda f: _incident(slack).status == "monitoring")
    slack.fake.wait_for(
        lambda f: "monitoring" in str(f.calls_to("conversations.setTopic")[-1].args["topic"])
    )
    slack.fake.wait_for(
        lambda f: "monitoring" in str([c.args for c in f.calls_to("chat.update")][-1])
    )


def test_with_thread_echoes_the_resolution_is_still_one_message_in_the_channel(
    make_slack: Any,
) -> None:
    slack = make_slack(INCIDENT_CHANNEL_ECHO="thread")
    channel = slack.declare("Cache stampede")
    slack.command(f"resolved {FIX}", channel=channel)
    slack.fake.wait_for(lambda f: any("Marked resolved" in p for p in slack.posts(channel)))
    slack.idle()
    (post,) = [
        c
        for c in slack.fake.calls_to("chat.postMessage")
        if c.ok and c.args["channel"] == channel and "Marked resolved" in c.args["text"]
    ]
    assert not post.args.get("thread_ts"), "no routine change: in the channel itself"
    assert f"*Resolution:* {FIX}" in post.args["text"] and "Time to resolve" in post.args["text"]
