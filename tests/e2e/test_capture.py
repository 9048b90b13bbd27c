"""Capture over signed HTTP: reaction, message shortcut and pin keep a message, once."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.support.capture import (
    PERSON_TEXT,
    incident_with_message,
    kept,
    settle,
    shortcut_replies,
)
from tests.support.harness import SlackHarness


def test_reaction_keeps_message_with_original_time_author_permalink_files(
    slack: SlackHarness,
) -> None:
    files = [{"id": "F1", "name": "cpu.png", "title": "CPU graph", "mimetype": "image/png"}]
    channel, ts = incident_with_message(slack, files=files)
    assert slack.driver.reaction_added("U1", "pushpin", channel, ts).status == 200
    slack.fake.wait_for(lambda f: kept(slack))
    (entry,) = kept(slack)
    assert entry.at == datetime.fromtimestamp(float(ts), UTC)
    assert (entry.author, entry.source, entry.message_channel) == ("U2", "reaction", channel)
    assert entry.text.startswith(PERSON_TEXT) and "CPU graph" in entry.text
    assert entry.files[0]["id"] == "F1" and entry.files[0]["mimetype"] == "image/png"
    assert entry.permalink and ts.replace(".", "") in entry.permalink
    assert [(r.reason, r.changed_by) for r in entry.revisions] == [("captured by reaction", "U1")]
    (history,) = slack.fake.calls_to("conversations.history")
    assert history.args["latest"] == ts and history.args["limit"] in (1, "1")
    slack.fake.assert_no_violations()


def test_retried_and_second_reactions_give_one_entry(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    first = slack.driver.reaction_added("U1", "pushpin", channel, ts)
    event_id = first.payload["event_id"]
    event = first.payload["event"]
    for retry in (1, 2):
        again = slack.driver.event(event, event_id=event_id, retry_num=retry)
        assert again.status == 200
    slack.driver.reaction_added("U2", "pushpin", channel, ts)  # a second person, a new event
    settle(slack, "conversations.history", 2)
    assert len(kept(slack, ts)) == 1


@pytest.mark.parametrize(
    "needed", ["conversations.members", "conversations.history", "chat.getPermalink"]
)
def test_event_that_failed_is_handled_when_slack_retries_it(
    slack: SlackHarness, needed: str
) -> None:
    """Slack's 5xx on a call the capture needs is not "forbidden" or "unreadable": the event
    fails, and Slack's retry of it (same event_id) keeps the message."""
    channel, ts = incident_with_message(slack)
    slack.fake.server_error(needed, times=3)  # every try of the first delivery
    first = slack.driver.reaction_added("U2", "pushpin", channel, ts)  # U2: asked of Slack
    assert first.status == 500, "an error answer, so Slack delivers the event again"
    assert kept(slack, ts) == []
    event, event_id = first.payload["event"], first.payload["event_id"]
    again = slack.driver.event(event, event_id=event_id, retry_num=1, retry_reason="http_error")
    assert again.status == 200
    (entry,) = kept(slack, ts)
    assert entry.source == "reaction"
    third = slack.driver.event(event, event_id=event_id, retry_num=2, retry_reason="http_error")
    assert third.status == 200 and len(kept(slack, ts)) == 1


def test_concurrent_duplicate_deliveries_give_one_entry(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    event = {
        "type": "reaction_added",
        "user": "U1",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "reaction": "pushpin",
        "item_user": "U2",
    }
    senders = [
        threading.Thread(target=slack.driver.event, args=(event,)),
        threading.Thread(target=slack.driver.event, args=(dict(event, user="U2"),)),
        threading.Thread(
            target=slack.driver.message_shortcut, args=("add_to_timeline", channel, ts, "U1")
        ),
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    slack.fake.wait_for(lambda f: shortcut_replies(slack))
    settle(slack, "conversations.history", 2)
    assert len(kept(slack, ts)) == 1
    (reply,) = shortcut_replies(slack)
    assert "incident 1" in reply["text"]


def test_same_event_twice_at_once_gives_one_entry(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    event = {
        "type": "reaction_added",
        "user": "U1",
        "item": {"type": "message", "channel": channel, "ts": ts},
        "reaction": "pushpin",
    }
    senders = [
        threading.Thread(target=slack.driver.event, args=(event, "Ev0SAME")) for _ in range(2)
    ]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    slack.fake.wait_for(lambda f: kept(slack))
    slack.idle()  # every request above answered and its work finished
    assert len(kept(slack, ts)) == 1
    assert len(slack.fake.calls_to("conversations.history")) == 1


def test_thread_reply_is_kept_via_conversations_replies(slack: SlackHarness) -> None:
    channel, parent = incident_with_message(slack)
    reply = slack.fake.add_message(channel, "U1", "failing over to the replica", thread_ts=parent)
    slack.driver.reaction_added("U2", "pushpin", channel, reply)
    slack.fake.wait_for(lambda f: kept(slack))
    (entry,) = kept(slack)
    assert (entry.text, entry.thread_ts, entry.message_ts) == (
        "failing over to the replica",
        parent,
        reply,
    )
    assert slack.fake.calls_to("conversations.replies")
    assert "thread_ts=" in (entry.permalink or "")


def test_shortcut_keeps_and_answers_once(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    slack.driver.message_shortcut("add_to_timeline", channel, ts, user="U1")
    slack.fake.wait_for(lambda f: len(shortcut_replies(slack)) >= 1)
    slack.driver.message_shortcut("add_to_timeline", channel, ts, user="U2")
    slack.fake.wait_for(lambda f: len(shortcut_replies(slack)) >= 2)
    texts = [body["text"] for body in shortcut_replies(slack)]
    assert texts == [
        ":pushpin: Added to the timeline of incident 1.",
        "That message is already on the timeline of incident 1.",
    ]
    assert all(body["response_type"] == "ephemeral" for body in shortcut_replies(slack))
    (entry,) = kept(slack)
    assert (entry.source, entry.author) == ("shortcut", "U2")
    assert not slack.fake.calls_to("conversations.history"), "the payload carries the message"


def test_person_pinning_a_bot_alert_keeps_it_but_a_reaction_does_not(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Pager storm")
    alert = slack.fake.add_message(channel, "U0PAGER", "ALERT: 5xx &gt; 5%", bot_id="B0PAGER")
    slack.driver.reaction_added("U1", "pushpin", channel, alert)
    settle(slack, "conversations.history", 1)
    assert kept(slack) == []
    slack.driver.pin_added("U1", channel, alert)
    slack.fake.wait_for(lambda f: kept(slack))
    (entry,) = kept(slack)
    assert (entry.source, entry.text) == ("pin", "ALERT: 5xx &gt; 5%")  # as Slack writes it


def test_bot_own_posts_and_its_card_pin_are_not_kept(slack: SlackHarness) -> None:
    channel = slack.declare("Noise")
    slack.command("note looked at graphs", channel=channel)
    slack.fake.wait_for(lambda f: len(slack.posts(channel)) >= 2)
    own = slack.fake.calls_to("chat.postMessage")[-1].response["ts"]
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    slack.driver.reaction_added("U1", "pushpin", channel, own)
    slack.driver.pin_added("U1", channel, card_ts)
    slack.driver.message_shortcut("add_to_timeline", channel, own, user="U1")
    slack.fake.wait_for(lambda f: shortcut_replies(slack))
    settle(slack, "conversations.history", 1)
    assert kept(slack) == []
    assert "incident-bot's own message" in shortcut_replies(slack)[0]["text"]


def test_pins_are_ignored_when_switched_off(make_slack: Any) -> None:
    slack = make_slack(INCIDENT_CAPTURE_PINS=False)
    channel, ts = incident_with_message(slack)
    slack.driver.pin_added("U1", channel, ts)
    slack.driver.reaction_added("U1", "thumbsup", channel, ts)  # not the timeline reaction
    slack.driver.reaction_added("U1", "pushpin::skin-tone-3", channel, ts)
    slack.fake.wait_for(lambda f: kept(slack))
    (entry,) = kept(slack)
    assert entry.source == "reaction"


def test_custom_reaction_setting(make_slack: Any) -> None:
    slack = make_slack(INCIDENT_TIMELINE_REACTION="memo")
    channel, ts = incident_with_message(slack)
    slack.driver.reaction_added("U1", "pushpin", channel, ts)
    slack.driver.reaction_added("U1", "memo", channel, ts)
    slack.fake.wait_for(lambda f: kept(slack))
    slack.idle()  # every request above answered and its work finished
    assert len(kept(slack)) == 1


def test_edit_follows_and_revision_keeps_original_then_delete_strikes(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    slack.driver.reaction_added("U1", "pushpin", channel, ts)
    slack.fake.wait_for(lambda f: kept(slack))
    slack.driver.message_changed(channel, ts, "DB primary CPU at 100% since 12:58", user="U2")
    slack.fake.wait_for(lambda f: kept(slack)[0].edited_at is not None)
    (entry,) = kept(slack)
    assert entry.text == "DB primary CPU at 100% since 12:58"
    edit = entry.revisions[-1]
    assert (edit.reason, edit.old_text, edit.changed_by) == ("edited in Slack", PERSON_TEXT, "U2")
    slack.driver.reaction_removed("U1", "pushpin", channel, ts)
    slack.driver.message_deleted(channel, ts)
    slack.fake.wait_for(lambda f: kept(slack)[0].deleted)
    (entry,) = kept(slack)
    assert not entry.removed, "a removed reaction or deleted message never drops history"
    slack.forget_replies()
    slack.command("timeline", channel=channel)
    slack.fake.wait_for(lambda f: f.responses)
    assert "~DB primary CPU at 100% since 12:58~ _(deleted in Slack)_" in str(
        slack.fake.responses[0][1]["blocks"]
    )
    from bot.export import entry_dict

    assert entry_dict(entry)["deleted"] is True


def test_tombstoned_thread_parent_counts_as_deleted(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    slack.driver.reaction_added("U1", "pushpin", channel, ts)
    slack.fake.wait_for(lambda f: kept(slack))
    tombstone = {"type": "message", "subtype": "tombstone", "text": "This message was deleted."}
    event = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": channel,
        "ts": f"{time.time():.6f}",
        "message": {**tombstone, "ts": ts, "user": "USLACKBOT", "hidden": True},
        "previous_message": {"type": "message", "ts": ts, "user": "U2", "text": PERSON_TEXT},
    }
    slack.driver.event(event)
    slack.fake.wait_for(lambda f: kept(slack)[0].deleted)
    assert kept(slack)[0].text == PERSON_TEXT


def test_shortcut_puts_back_a_removed_entry(slack: SlackHarness) -> None:
    channel, ts = incident_with_message(slack)
    slack.driver.reaction_added("U1", "pushpin", channel, ts)
    slack.fake.wait_for(lambda f: kept(slack))
    (entry,) = kept(slack)
    slack.driver.block_action(
        "timeline_entry_menu", user="U1", channel=channel, selected_option=f"remove:{entry.id}:1"
    )
    slack.fake.wait_for(lambda f: kept(slack)[0].removed)
    slack.driver.reaction_added("U2", "pushpin", channel, ts)  # a reaction doesn't undo it
    settle(slack, "conversations.history", 2)
    assert kept(slack)[0].removed
    slack.driver.message_shortcut("add_to_timeline", channel, ts, user="U2")
    slack.fake.wait_for(lambda f: shortcut_replies(slack))
    assert shortcut_replies(slack)[0]["text"] == ":pushpin: Put back on the timeline of incident 1."
    (entry,) = kept(slack)
    assert not entry.removed
    assert [(r.reason, r.changed_by) for r in entry.revisions] == [
        ("captured by reaction", "U1"),
        ("removed", "U1"),
        ("restored", "U2"),
    ]
