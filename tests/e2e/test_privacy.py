"""Private incidents and who may change what, over signed HTTP; the channel's furniture."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.models import Incident
from tests.support.harness import SlackHarness


def _incident(slack: SlackHarness, number: int = 1) -> Incident:
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident).where(Incident.number == number)).one()
        incident.timeline  # noqa: B018 - load before the session closes
        return incident


def _list_for(slack: SlackHarness, user: str) -> str:
    before = len(slack.fake.responses)
    slack.command("list", user=user)
    slack.fake.wait_for(lambda f: len(f.responses) > before)
    return json.dumps(slack.fake.responses[-1][1])


def _membership_event(slack: SlackHarness, kind: str, user: str, channel: str) -> None:
    members = slack.fake.channels[channel].members
    members.add(user) if kind == "member_joined_channel" else members.discard(user)
    event = {"type": kind, "user": user, "channel": channel, "channel_type": "G", "team": "T0TEST"}
    if kind == "member_joined_channel":
        event["inviter"] = "U1"
    assert slack.driver.event(event).status == 200


def test_private_incident_is_private_everywhere(slack: SlackHarness) -> None:
    channel = slack.declare("Payroll data exposed", user="U1", flags="--private")
    (create,) = slack.fake.calls_to("conversations.create")
    assert create.args["is_private"] in (True, "true", "1")
    (announce,) = slack.posts(slack.announce)
    assert "Payroll" not in announce and "private incident" in announce
    assert "Payroll data exposed" in _list_for(slack, "U1")
    assert "Payroll data exposed" not in _list_for(slack, "U2")

    _membership_event(slack, "member_joined_channel", "U2", channel)
    slack.fake.wait_for(lambda f: "U2" in _incident(slack).members)
    assert "Payroll data exposed" in _list_for(slack, "U2")
    _membership_event(slack, "member_left_channel", "U2", channel)
    slack.fake.wait_for(lambda f: "U2" not in _incident(slack).members)
    assert "Payroll data exposed" not in _list_for(slack, "U2")
    slack.fake.assert_no_violations()


def test_non_member_buttons_are_refused_and_members_changes_carry_author(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Login errors")
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]

    def pick(user: str, severity: str) -> None:
        option = {"text": {"type": "plain_text", "text": severity}, "value": severity}
        slack.driver.block_action(
            "card_severity", None, user, channel=channel, message_ts=card_ts, selected_option=option
        )

    pick("U3", "sev1")  # U3 never joined: refused, told by DM (they can't see ephemerals there)
    refusal = "Only members of #inc-1-login-errors can change incident 1: join the channel first."
    slack.fake.wait_for(
        lambda f: any(c.args.get("text") == refusal for c in f.calls_to("chat.postMessage"))
    )
    assert _incident(slack).severity == "sev3"

    slack.fake.channels[channel].members.add("U2")  # joined, but no event seen yet
    pick("U2", "sev2")
    slack.fake.wait_for(lambda f: _incident(slack).severity == "sev2")
    change = next(e for e in _incident(slack).timeline if e.kind == "severity")
    assert change.author == "U2" and "U2" in _incident(slack).members


def test_hand_over_commander_and_channel_furniture(slack: SlackHarness) -> None:
    channel = slack.declare("Queue stuck", flags="sev2")
    card = slack.card(channel)
    card_ts = card.response["ts"]
    (bookmark,) = slack.fake.calls_to("bookmarks.add")
    assert bookmark.args["channel_id"] == channel and card_ts.replace(".", "") in str(
        bookmark.args["link"]
    )
    buttons = {e["action_id"]: e for b in card.args["blocks"] for e in b.get("elements", [])}
    # Resolve asks what fixed it in a modal (which is its confirmation)
    assert "confirm" not in buttons["card_resolve"] and "card_action_item" in buttons

    slack.driver.block_action("card_commander", "1", "U1", channel=channel, message_ts=card_ts)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view: dict[str, Any] = slack.fake.calls_to("views.open")[0].args["view"]
    assert view["callback_id"] == "commander_modal"
    values = {"user": {"user": {"type": "users_select", "selected_user": "U2"}}}
    assert slack.driver.view_submission("commander_modal", values, user="U1").status == 200
    slack.fake.wait_for(lambda f: f.channels[channel].topic == "SEV2 · investigating · IC <@U2>")
    slack.fake.wait_for(lambda f: "U2" in f.channels[channel].members)  # invited
    incident = _incident(slack)
    assert incident.commander == "U2"
    role = next(e for e in incident.timeline if e.kind == "role")
    assert (role.author, role.text) == ("U1", "<@U2> is now commander")

    slack.command("status monitoring", channel=channel)
    slack.fake.wait_for(lambda f: f.channels[channel].topic == "SEV2 · monitoring · IC <@U2>")
    slack.fake.assert_no_violations()


def test_a_private_timeline_page_is_shown_only_to_its_members(slack: SlackHarness) -> None:
    channel = slack.declare("Payroll data exposed", user="U1", flags="--private")
    slack.command("note exported rows to the wrong bucket", channel=channel)
    slack.fake.wait_for(lambda f: any("wrong bucket" in p for p in slack.posts(channel)))

    def page_as(user: str) -> dict[str, Any]:
        answer = slack.driver.block_action("timeline_page_1", "1:1", user, channel=channel)
        url_id = answer.response_url_id
        return slack.fake.wait_for(
            lambda f: next((body for i, body in f.responses if i == url_id), None)
        )

    outsider = page_as("U2")  # never in the channel: the incident does not exist for them
    assert outsider["text"] == "There is no incident 1."
    assert "Payroll" not in json.dumps(outsider) and "wrong bucket" not in json.dumps(outsider)
    member = json.dumps(page_as("U1"))
    assert "Payroll data exposed" in member and "wrong bucket" in member


def test_a_private_incident_is_resolved_without_details_in_the_announcement(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Payroll data exposed", user="U1", flags="--private")
    slack.command("resolved Rotated the key", channel=channel)
    slack.fake.wait_for(lambda f: len(slack.posts(slack.announce)) == 2)
    _declared, resolved = slack.posts(slack.announce)
    assert resolved == ":lock: Private incident 1 was resolved."
    sent = [c.args for c in slack.fake.calls_to("chat.postMessage")]
    to_announce = json.dumps([a for a in sent if a.get("channel") == slack.announce])
    assert "Payroll" not in to_announce and channel not in to_announce  # text nor blocks
    slack.idle()  # the resolution post is sent from its own outbox row
    in_channel = "\n".join(slack.posts(channel))
    assert "Incident 1 resolved" in in_channel  # members still get the durations
