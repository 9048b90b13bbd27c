"""`/incident subscribe|unsubscribe [NUMBER]`: subscribers get a direct message when severity
changes and on resolution; private incidents only for members. Over signed HTTP."""

from __future__ import annotations

from sqlalchemy import select

from bot.comms.subscriptions import subscribed_line
from bot.models import Subscription
from bot.slack import ids
from tests.support.harness import SlackHarness
from tests.support.seen import lines_to, settle


def dms_to(slack: SlackHarness, user: str) -> list[str]:
    """What the bot said to `user` in their direct messages with it."""
    with slack.fake.lock:
        dms = {c.id for c in slack.fake.channels.values() if c.is_im and c.dm_user == user}
        calls = [c for c in slack.fake.calls_to("chat.postMessage") if c.ok]
    return [str(c.args.get("text", "")) for c in calls if c.args.get("channel") in dms]


def _subscribed(slack: SlackHarness) -> list[tuple[int, str]]:
    with slack.deps.db.unit_of_work() as session:
        rows = session.execute(select(Subscription.incident_id, Subscription.user_id)).all()
        return sorted((int(i), str(u)) for i, u in rows)


def _type(slack: SlackHarness, text: str, *, user: str, channel: str | None = None) -> str:
    """Type a command whose answer is a line to `user`; that line."""
    slack.forget_replies()
    slack.command(text, user=user, channel=channel)
    return slack.wait_reply()[0]


def _change(slack: SlackHarness, text: str, channel: str) -> None:
    """A change by the commander U1, waited for until it is posted in the channel."""
    slack.change(text, channel)
    slack.idle()


def test_subscribers_are_told_of_severity_and_resolution_until_they_unsubscribe(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Checkout down")
    slack.fake.channels[channel].members.add("U3")
    assert _type(slack, "subscribe 1", user="U2") == (
        "Subscribed to incident 1: you'll get a direct message on each update, when its "
        "severity changes and when it is resolved. `/incident unsubscribe 1` stops them."
    )
    assert _type(slack, "subscribe", user="U3", channel=channel).startswith(
        "Subscribed to incident 1"
    )
    assert _type(slack, "subscribe", user="U1", channel=channel).startswith("Subscribed")
    assert _type(slack, "subscribe #1", user="U2") == ("You are already subscribed to incident 1.")
    _change(slack, "note looked at the graphs", channel)
    _change(slack, "severity sev1", channel)
    slack.fake.wait_for(lambda f: dms_to(slack, "U2") and dms_to(slack, "U3"))  # from the outbox
    told = f":rotating_light: Incident 1 (<#{channel}>) severity changed from sev3 to sev1 by <@U1>"
    assert dms_to(slack, "U2") == [f"{told}: *Checkout down*"]
    assert dms_to(slack, "U3") == [f"{told}: *Checkout down*"]
    assert dms_to(slack, "U1") == [], "the one who made the change is not told of it"

    assert _type(slack, "unsubscribe 1", user="U2") == "Unsubscribed from incident 1."
    assert _type(slack, "unsubscribe 1", user="U2") == "You are not subscribed to incident 1."
    slack.forget_replies()
    _change(slack, "resolved Rolled back the deploy", channel)
    slack.fake.wait_for(lambda f: dms_to(slack, "U3"))  # calls were forgotten since sev1
    assert dms_to(slack, "U2") == []
    assert dms_to(slack, "U3") == [
        f":white_check_mark: Incident 1 (<#{channel}>) resolved: *Checkout down*\n"
        "*Resolution:* Rolled back the deploy"
    ]
    assert _type(slack, "subscribe 1", user="U2") == (
        "Incident 1 is resolved: there is nothing more to tell."
    )
    slack.fake.assert_no_violations()


def test_bad_subscribe_gets_one_line_and_stores_nothing(slack: SlackHarness) -> None:
    slack.declare("Search slow")
    assert _type(slack, "subscribe 999", user="U2") == "There is no incident 999."
    assert _type(slack, "subscribe checkout", user="U2") == (
        "`checkout` is not an incident number. Use: `/incident subscribe [NUMBER]`"
    )
    assert _type(slack, "unsubscribe", user="U2") == (
        "Which incident? Give its number (`/incident unsubscribe [NUMBER]`) or run it in its "
        "channel."
    )
    assert _subscribed(slack) == []


def test_private_incident_only_members_subscribe_and_only_members_are_told(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Key leak", flags="--private")
    assert _type(slack, "subscribe 1", user="U2") == "There is no incident 1."
    assert _type(slack, "unsubscribe 1", user="U2") == "There is no incident 1."
    assert _subscribed(slack) == []
    slack.fake.channels[channel].members.update({"U3", "U4"})
    assert _type(slack, "subscribe 1", user="U3").startswith("Subscribed to incident 1")
    assert _type(slack, "subscribe 1", user="U4").startswith("Subscribed to incident 1")
    # U4 leaves the private channel: no longer told, though still subscribed.
    slack.fake.channels[channel].members.discard("U4")
    event = {"type": "member_left_channel", "user": "U4", "channel": channel, "team": "T0TEST"}
    assert slack.driver.event({**event, "channel_type": "G"}).status == 200
    _change(slack, "severity sev2", channel)
    settle()
    assert [t.split(":", 2)[1] for t in dms_to(slack, "U3")] == ["rotating_light"]
    assert dms_to(slack, "U4") == []
    assert dms_to(slack, "U2") == []
    assert _type(slack, "unsubscribe 1", user="U4") == "Unsubscribed from incident 1."


def test_the_announcements_subscribe_button_subscribes_and_a_private_one_has_none(
    slack: SlackHarness,
) -> None:
    slack.declare("Checkout down")
    announced = slack.fake.wait_for(
        lambda f: [c for c in f.calls_to("chat.postMessage") if c.args["channel"] == slack.announce]
    )[0]
    slack.forget_replies()
    slack.driver.block_action(
        ids.ANNOUNCE_SUBSCRIBE,
        user="U5",
        channel=slack.announce,
        message_ts=announced.response["ts"],
    )
    slack.fake.wait_for(lambda f: lines_to(f, "U5"))
    assert lines_to(slack.fake, "U5") == [subscribed_line(1)]
    assert _subscribed(slack) == [(1, "U5")]
    slack.forget_replies()
    slack.driver.block_action(
        ids.ANNOUNCE_SUBSCRIBE,
        user="U5",
        channel=slack.announce,
        message_ts=announced.response["ts"],
    )
    slack.fake.wait_for(lambda f: lines_to(f, "U5"))
    assert lines_to(slack.fake, "U5") == ["You are already subscribed to incident 1."]
    slack.declare("Key leak", flags="--private")
    private = [c for c in slack.fake.calls_to("chat.postMessage") if ":lock:" in c.args["text"]]
    assert private and "announce_subscribe" not in str(private[0].args["blocks"])
    slack.fake.assert_no_violations()
