"""Follow-ups through signed HTTP into the running Bolt app, Slack answered by FakeSlack."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from bot.models import ActionItem
from bot.scheduling.runner import run_due
from bot.slack import ids
from tests.support.harness import SlackHarness


def _items(slack: SlackHarness) -> list[ActionItem]:
    with slack.deps.db.unit_of_work() as session:
        return list(session.scalars(select(ActionItem).order_by(ActionItem.id)))


def test_action_actions_done_over_http(slack: SlackHarness) -> None:
    channel = slack.declare("Payments failing")
    slack.forget_replies()
    slack.command("action Add a canary stage <@U2> due tomorrow", channel=channel)
    slack.fake.wait_for(lambda f: any("AI-1" in t for t in slack.posts(channel)))
    assert any("Added AI-1" in t for t in slack.wait_reply())
    slack.forget_replies()
    slack.command("actions", user="U2", channel=slack.announce)
    assert slack.wait_reply()[0] == "Your action items: 1 open"
    slack.forget_replies()
    slack.command("done AI-1", user="U2", channel=slack.announce)
    assert "AI-1 is done" in slack.wait_reply()[0]
    assert _items(slack)[0].status == "done"
    slack.forget_replies()
    slack.command("done AI-1", user="U2", channel=slack.announce)
    assert slack.wait_reply() == ["Action item AI-1 is already done."]
    slack.fake.assert_no_violations()


def test_bad_due_date_gets_one_line_over_http(slack: SlackHarness) -> None:
    channel = slack.declare("Payments failing")
    slack.forget_replies()
    slack.command("action Fix it due 2020-01-01", channel=channel)
    assert slack.wait_reply() == ["`2020-01-01` is in the past: a due date must be today or later."]
    assert _items(slack) == []


def test_done_button_in_a_reminder_dm_closes_the_item(slack: SlackHarness) -> None:
    channel = slack.declare("Payments failing")
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date()
    slack.command(f"action Rotate keys <@U2> due {tomorrow.isoformat()}", channel=channel)
    slack.fake.wait_for(lambda f: any("AI-1" in t for t in slack.posts(channel)))
    with slack.deps.db.unit_of_work() as session:  # created long before its reminder moment
        session.scalars(select(ActionItem)).one().created_at -= timedelta(days=3)
    moment = datetime.combine(tomorrow, datetime.min.time(), tzinfo=UTC) - timedelta(hours=1)
    assert "reminder before AI-1 to U2" in run_due(slack.deps, moment)
    (opened,) = slack.fake.calls_to("conversations.open")
    dm = opened.response["channel"]["id"]
    (reminder,) = [c for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == dm]
    slack.forget_replies()
    slack.driver.block_action(
        ids.ACTION_DONE, user="U2", channel=dm, message_ts=reminder.response["ts"]
    )
    slack.fake.wait_for(lambda f: f.responses)
    assert "AI-1 done" in slack.fake.responses[-1][1]["text"]
    item = _items(slack)[0]
    assert (item.status, item.closed_by) == ("done", "U2")


def test_card_button_opens_the_modal_and_its_submission_adds_an_item(slack: SlackHarness) -> None:
    channel = slack.declare("Payments failing")
    card = slack.fake.calls_to("pins.add")[-1].args["timestamp"]
    slack.driver.block_action(ids.CARD_ACTION_ITEM, user="U1", channel=channel, message_ts=card)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    due = date.today() + timedelta(days=7)
    slack.driver.view_submission(
        ids.ACTION_ITEM_MODAL,
        {
            ids.TEXT_INPUT: "Write the runbook",
            ids.OWNER_INPUT: "U3",
            ids.DUE_INPUT: due.isoformat(),
            ids.PRIORITY_INPUT: "high",
            ids.TYPE_INPUT: "process",
        },
        user="U1",
    )
    slack.fake.wait_for(lambda f: _items(slack))
    item = _items(slack)[0]
    assert (item.text, item.owner, item.due) == ("Write the runbook", "U3", due)
    assert (item.priority, item.type) == ("high", "process")
    slack.fake.wait_for(lambda f: any("AI-1" in t for t in slack.posts(channel)))
    slack.fake.assert_no_violations()
