"""`/incident summary|impact TEXT` and the declare modal's optional fields, through signed
HTTP into the running app: stored, on the timeline, on the card, in list and App Home."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot.models import Incident
from tests.support.harness import SlackHarness


def _incident(slack: SlackHarness) -> Incident:
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        incident.timeline  # noqa: B018 - load before the session closes
        return incident


def _card_blocks(slack: SlackHarness, channel: str) -> str:
    """The card as Slack shows it now: the last chat.update of the pinned card."""
    card_ts = slack.fake.calls_to("pins.add")[-1].args["timestamp"]
    updates = [c for c in slack.fake.calls_to("chat.update") if c.args["ts"] == card_ts and c.ok]
    return json.dumps(updates[-1].args["blocks"]) if updates else ""


def test_summary_and_impact_are_stored_recorded_and_shown_on_card_list_and_home(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Checkout down")
    slack.command("summary Card payments fail for EU shoppers <!channel>", channel=channel)
    slack.fake.wait_for(lambda f: "Card payments fail" in _card_blocks(slack, channel))
    slack.command("impact About 30% of checkouts fail", channel=channel)
    slack.fake.wait_for(lambda f: "30% of checkouts" in _card_blocks(slack, channel))
    card = _card_blocks(slack, channel)
    assert "*Summary:* Card payments fail" in card and "*Customer impact:* About 30%" in card
    assert "<!channel>" not in card, "typed text is neutralised"
    incident = _incident(slack)
    assert incident.summary == "Card payments fail for EU shoppers &lt;!channel&gt;"
    assert incident.impact == "About 30% of checkouts fail"
    notes = [e.text for e in incident.timeline if e.kind == "note"]
    assert notes == [
        "Summary set: Card payments fail for EU shoppers &lt;!channel&gt;",
        "Customer impact set: About 30% of checkouts fail",
    ]
    assert any("Customer impact set" in p for p in slack.posts(channel))
    # A second summary replaces the first, and the timeline keeps both.
    slack.command("summary EU card payments fail at the PSP", channel=channel)
    slack.fake.wait_for(lambda f: "at the PSP" in _card_blocks(slack, channel))
    assert _incident(slack).summary == "EU card payments fail at the PSP"
    assert len([e for e in _incident(slack).timeline if e.kind == "note"]) == 3

    slack.forget_replies()
    slack.command("list", user="U2")
    slack.fake.wait_for(lambda f: f.responses)
    listed = json.dumps([body.get("blocks") for _id, body in slack.fake.responses])
    assert "*Summary:* EU card payments fail at the PSP" in listed
    assert "*Customer impact:* About 30%" in listed
    slack.driver.app_home_opened("U2")
    slack.fake.wait_for(lambda f: f.calls_to("views.publish"))
    home = json.dumps(slack.fake.calls_to("views.publish")[-1].args["view"])
    assert "*Summary:* EU card payments fail at the PSP" in home
    slack.fake.assert_no_violations()


def test_bad_summary_gets_one_line_with_the_right_form_and_changes_nothing(
    slack: SlackHarness,
) -> None:
    channel = slack.declare("Search slow")
    slack.forget_replies()
    for n, typed in enumerate(("summary", "impact   ", "summary " + "x" * 1001), start=1):
        slack.command(typed, channel=channel)
        slack.wait_reply(n)  # one at a time: the answers come after the ack, in any order
    slack.command("summary Search is slow", channel=slack.announce)
    replies = slack.wait_reply(4)
    assert replies[0] == "Missing text. Use: `/incident summary TEXT`"
    assert replies[1] == "Missing text. Use: `/incident impact TEXT`"
    assert replies[2] == (
        "The summary is 1001 characters; Slack allows 1000. Shorten it or split it. "
        "Use: `/incident summary TEXT`"
    )
    assert "only works in an incident channel" in replies[3]
    incident = _incident(slack)
    assert (incident.summary, incident.impact) == (None, None)
    assert [e.kind for e in incident.timeline] == ["milestone"]


def test_declare_modal_takes_optional_summary_and_impact(slack: SlackHarness) -> None:
    slack.command("declare sev2")
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[0].args["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    assert blocks["summary"]["optional"] and blocks["impact"]["optional"]

    def values(summary: str | None, impact: str | None) -> dict:
        return {
            "title": {"title": {"type": "plain_text_input", "value": "DNS outage"}},
            "severity": {
                "severity": {"type": "static_select", "selected_option": {"value": "sev2"}}
            },
            "private": {"private": {"type": "checkboxes", "selected_options": []}},
            "summary": {"summary": {"type": "plain_text_input", "value": summary}},
            "impact": {"impact": {"type": "plain_text_input", "value": impact}},
        }

    meta = view["private_metadata"]
    refused = slack.driver.view_submission(
        "declare_modal", values("x" * 1001, None), user="U1", private_metadata=meta
    )
    assert refused.json()["response_action"] == "errors"
    assert "summary" in refused.json()["errors"] and "impact" not in refused.json()["errors"]
    ok = slack.driver.view_submission(
        "declare_modal", values("Resolvers time out", "Nobody can log in"), private_metadata=meta
    )
    assert ok.status == 200 and not ok.text
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"))
    channel = slack.fake.calls_to("pins.add")[0].args["channel"]
    slack.fake.wait_for(lambda f: "Nobody can log in" in _card_blocks(slack, channel))
    incident = _incident(slack)
    assert (incident.summary, incident.impact) == ("Resolvers time out", "Nobody can log in")
    assert "*Summary:* Resolvers time out" in _card_blocks(slack, channel)
