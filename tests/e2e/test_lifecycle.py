"""The incident lifecycle through signed HTTP into the running app (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.models import Incident, TimelineEntry
from tests.support.harness import SlackHarness


def _incident(slack: SlackHarness) -> Incident:
    with slack.deps.db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        incident.timeline  # noqa: B018 - load before the session closes
        return incident


def test_declare_opens_channel_pins_card_announces(slack: SlackHarness) -> None:
    response = slack.command("declare sev2 Checkout returns 500s!", user="U1")
    assert response.status == 200
    slack.fake.wait_for(lambda f: f.calls_to("conversations.setTopic"))
    slack.fake.wait_for(
        lambda f: f.calls_to("bookmarks.add") and f.calls_to("conversations.invite")
    )
    slack.fake.wait_for(lambda f: slack.posts(slack.announce))
    (create,) = slack.fake.calls_to("conversations.create")
    assert create.args["name"] == "inc-1-checkout-returns-500s"
    channel = create.response["channel"]["id"]
    assert "U1" in slack.fake.channels[channel].members
    (card,) = [c for c in slack.fake.calls_to("chat.postMessage") if c.args["channel"] == channel]
    assert card.response["ts"] in slack.fake.channels[channel].pins
    assert "SEV2" in str(card.args["blocks"]) and "<@U1>" in str(card.args["blocks"])
    (announce,) = slack.posts(slack.announce)
    assert f"<#{channel}>" in announce and "Checkout returns 500s!" in announce
    assert slack.fake.channels[channel].topic == "SEV2 · investigating · IC <@U1>"
    assert any("Incident 1 declared" in t for t in slack.wait_reply())
    incident = _incident(slack)
    assert (incident.number, incident.commander, incident.severity) == (1, "U1", "sev2")
    slack.fake.assert_no_violations()


def test_ack_comes_back_before_any_slack_work_even_when_slack_is_slow(
    slack: SlackHarness,
) -> None:
    slack.fake.delay = 2.0
    response = slack.command("declare sev1 Everything is slow", user="U1")
    assert response.status == 200
    # The ack does not wait for the work: the card (the declare's last step) isn't pinned yet.
    assert not slack.fake.calls_to("pins.add"), "the ack waited for Slack"
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"), timeout=30)
    assert _incident(slack).title == "Everything is slow"


def test_timeline_commands_record_and_post(slack: SlackHarness) -> None:
    channel = slack.declare("Payments failing")
    now = datetime.now(UTC)
    # U1 (alice) is in Europe/Berlin: what she types is read there.
    started = (now - timedelta(hours=2)).astimezone(ZoneInfo("Europe/Berlin"))
    for text in (
        f"started at {started:%Y-%m-%d %H:%M}",
        "detected",
        "note at 00:00 checked the dashboards",  # the most recent midnight: always in the past
        "decision Roll back 4.2 because errors began with it",
        "severity sev1",
        "status identified",
        "role scribe <@U2|bob>",
        "acknowledged",
        "mitigated",
    ):
        # One at a time, as a person types: each is acked at once and worked on afterwards,
        # so without waiting `mitigated` could overtake `acknowledged`.
        before = len(slack.posts(channel))
        slack.command(text, user="U1", channel=channel)
        slack.fake.wait_for(lambda f, n=before: len(slack.posts(channel)) > n)
    slack.fake.wait_for(lambda f: "U2" in f.channels[channel].members)
    incident = _incident(slack)
    kinds = [e.kind for e in incident.timeline]
    assert kinds.count("milestone") == 5 and "decision" in kinds and "role" in kinds
    decision = next(e for e in incident.timeline if e.kind == "decision")
    assert (decision.text, decision.rationale) == ("Roll back 4.2", "errors began with it")
    # `mitigated` moved the status on from identified: topic and card agree with milestones
    assert incident.severity == "sev1" and incident.status == "monitoring"
    assert "U2" in slack.fake.channels[channel].members
    assert incident.started_at == started.replace(second=0, microsecond=0)
    assert card_fields(slack, channel) == {
        "Severity": "SEV1",
        "Status": "monitoring",
        "Commander": "<@U1>",
        "Private": "no",
    }

    slack.command("resolved Rolled back the deploy", user="U1", channel=channel)
    slack.fake.wait_for(lambda f: any("resolved:" in p for p in slack.posts(slack.announce)))
    summary = slack.fake.wait_for(
        lambda f: next((p for p in slack.posts(channel) if "Incident 1 resolved" in p), None)
    )
    assert "Time to detect: 2h 00m" in summary or "Time to detect: 1h 59m" in summary
    assert _incident(slack).status == "resolved"
    slack.fake.assert_no_violations()


def card(slack: SlackHarness, channel: str) -> dict[str, Any]:
    """The pinned card as people see it now (the stored message, after every update)."""
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    return next(m for m in slack.fake.messages(channel) if m["ts"] == card_ts)


def card_fields(slack: SlackHarness, channel: str) -> dict[str, str]:
    """The card's `*Name*\nvalue` fields as {name: value}, the severity without its emoji."""
    fields = [f["text"] for b in card(slack, channel)["blocks"] for f in b.get("fields", [])]
    pairs = dict(f.removeprefix("*").split("*\n", 1) for f in fields)
    pairs["Severity"] = pairs["Severity"].split()[-1]
    return pairs


def test_severity_and_status_changes_redraw_the_card_and_topic(slack: SlackHarness) -> None:
    channel = slack.declare("Checkout slow", flags="sev3")
    assert card_fields(slack, channel)["Severity"] == "SEV3"
    for command, severity, status in (
        ("severity sev1", "SEV1", "investigating"),
        ("status monitoring", "SEV1", "monitoring"),
        ("severity 2", "SEV2", "monitoring"),
    ):
        slack.command(command, channel=channel)
        topic = f"{severity} · {status} · IC <@U1>"
        slack.fake.wait_for(lambda f, t=topic: f.channels[channel].topic == t, what=topic)
        slack.fake.wait_for(
            lambda f, s=severity, st=status: (
                card_fields(slack, channel)
                == {"Severity": s, "Status": st, "Commander": "<@U1>", "Private": "no"}
            ),
            what=f"the card showing {severity}, {status}",
        )
        expected = f"Incident 1 ({severity.lower()}, {status}): Checkout slow"
        assert card(slack, channel)["text"] == expected
    slack.fake.assert_no_violations()


def test_list_timeline_help_are_ephemeral(slack: SlackHarness) -> None:
    channel = slack.declare("Search is slow")
    slack.command("note first note", channel=channel)
    slack.fake.wait_for(lambda f: any("first note" in p for p in slack.posts(channel)))
    slack.command("help", user="U3")
    slack.command("list", user="U3")
    slack.command("timeline", channel=channel)
    slack.fake.wait_for(lambda f: len(f.responses) >= 4)  # declare's, help, list, timeline
    bodies = [body for _id, body in slack.fake.responses]
    assert all(b.get("response_type") == "ephemeral" for b in bodies)
    (help_text,) = [b["text"] for b in bodies if "/incident declare" in b.get("text", "")]
    assert "TIME is read in *Asia/Tokyo* (your Slack time zone)" in help_text  # U3 is carol
    assert any("Search is slow" in str(b.get("blocks")) for b in bodies)
    assert any("first note" in str(b.get("blocks")) for b in bodies)


def test_declare_without_title_opens_modal_and_submission_declares(slack: SlackHarness) -> None:
    slack.command("declare sev1")
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[0].args["view"]
    assert view["callback_id"] == "declare_modal"
    blank = slack.driver.view_submission(
        "declare_modal",
        {"title": {"title": {"type": "plain_text_input", "value": "  "}}},
        user="U1",
        private_metadata=view["private_metadata"],
    )
    assert blank.json()["response_action"] == "errors"
    values = {
        "title": {"title": {"type": "plain_text_input", "value": "DNS outage"}},
        "severity": {"severity": {"type": "static_select", "selected_option": {"value": "sev1"}}},
        "private": {"private": {"type": "checkboxes", "selected_options": []}},
    }
    ok = slack.driver.view_submission(
        "declare_modal", values, user="U1", private_metadata=view["private_metadata"]
    )
    assert ok.status == 200 and not ok.text
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"))
    incident = _incident(slack)
    assert (incident.title, incident.severity) == ("DNS outage", "sev1")


def test_decision_modal_records_alternatives_and_who(slack: SlackHarness) -> None:
    channel = slack.declare("Queue backlog")
    slack.command("decision", channel=channel)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[0].args["view"]
    values = {
        "decision": {"decision": {"type": "plain_text_input", "value": "Drain the queue"}},
        "rationale": {"rationale": {"type": "plain_text_input", "value": "consumers recovered"}},
        "alternatives": {"alternatives": {"type": "plain_text_input", "value": "purge it"}},
        "decided_by": {"decided_by": {"type": "users_select", "selected_user": "U2"}},
    }
    slack.driver.view_submission(
        "decision_modal", values, user="U1", private_metadata=view["private_metadata"]
    )
    slack.fake.wait_for(lambda f: any("Drain the queue" in p for p in slack.posts(channel)))
    decision = next(e for e in _incident(slack).timeline if e.kind == "decision")
    assert (decision.rationale, decision.alternatives, decision.decided_by) == (
        "consumers recovered",
        "purge it",
        "U2",
    )


def test_card_buttons_change_severity_and_resolve(slack: SlackHarness) -> None:
    channel = slack.declare("Login errors")
    card_ts = slack.fake.calls_to("pins.add")[0].args["timestamp"]
    slack.driver.block_action(
        "card_severity",
        None,
        "U1",
        channel=channel,
        message_ts=card_ts,
        selected_option={"text": {"type": "plain_text", "text": "sev1"}, "value": "sev1"},
    )
    slack.fake.wait_for(lambda f: _incident(slack).severity == "sev1")
    slack.driver.block_action("card_resolve", "1", "U1", channel=channel, message_ts=card_ts)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))  # what fixed it? (test_resolving)
    slack.driver.view_submission("resolve_modal", {"resolution": "Rolled back"}, user="U1")
    slack.fake.wait_for(lambda f: _incident(slack).status == "resolved")
    entries = [e.text for e in _incident(slack).timeline]
    assert "Severity changed from sev3 to sev1" in entries and "Marked resolved" in entries


def test_entries_are_stored_with_author_and_time(slack: SlackHarness) -> None:
    channel = slack.declare("Cache stampede")
    slack.fake.channels[channel].members.add("U2")  # people type where they are members
    slack.command("note at 2026-01-01T10:00+00:00 from the pager", user="U2", channel=channel)
    slack.fake.wait_for(lambda f: any("from the pager" in p for p in slack.posts(channel)))
    with slack.deps.db.unit_of_work() as session:
        entry = session.scalars(
            select(TimelineEntry).where(TimelineEntry.text == "from the pager")
        ).one()
        assert entry.author == "U2"
        assert entry.at == datetime(2026, 1, 1, 10, tzinfo=UTC)
    assert re.search(r"<!date\^\d+\^", slack.posts(channel)[-1])
