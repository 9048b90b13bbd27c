"""Incident types and custom fields end to end (signed HTTP into the app, fake Slack over
HTTP, SQLite and PostgreSQL): declared with a type, changed, set, checked, shown, exported,
filtered, and a field required at resolve blocking resolution."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from bot import export
from bot.drafting.render import render_markdown_many
from bot.models import Incident
from bot.slack import ids
from tests.support.guided import TYPES_AND_FIELDS, card, incident, reply_after, start
from tests.support.harness import SlackHarness

Make = Callable[..., SlackHarness]


def test_type_at_declare_sets_default_severity_and_shows_on_card(
    make_slack: Make, tmp_path: Path
) -> None:
    slack = start(make_slack, tmp_path, TYPES_AND_FIELDS)
    channel = slack.declare("Replica lag", flags="type:database")
    first = incident(slack)
    assert (first.type, first.severity) == ("database", "sev2")  # the type's default severity
    slack.fake.wait_for(lambda f: "*Type:* database" in card(slack, channel))
    assert "Databases and storage" in card(slack, channel)

    slack.command("type security", channel=channel)
    slack.fake.wait_for(lambda f: "*Type:* security" in card(slack, channel))
    assert any("Type changed from database to security" in p for p in slack.posts(channel))
    assert incident(slack).type == "security"

    # A severity typed wins over the type's default; an unknown type names the known ones.
    slack.declare("Second", flags="sev4 type:database")
    assert incident(slack, 2).severity == "sev4"
    line = reply_after(slack, "declare type:network Router down", slack.announce)
    assert line == "`network` is not an incident type. Types: database, security."
    assert reply_after(slack, "type network", channel) == line


def test_set_fields_validated_shown_exported_and_required_at_resolve(
    make_slack: Make, tmp_path: Path
) -> None:
    slack = start(make_slack, tmp_path, TYPES_AND_FIELDS)
    channel = slack.declare("Checkout down")
    assert reply_after(slack, "set region mars", channel) == (
        "`mars` is not an option of `region`. Options: eu-west, us-east."
    )
    assert reply_after(slack, "set colour red", channel) == (
        "`colour` is not a custom field. Fields: region, services, ticket, owner."
    )
    assert "not a link" in reply_after(slack, "set ticket nowhere", channel)
    # Required at resolve: resolution is refused, naming what is missing; nothing changes.
    line = reply_after(slack, "resolved the replica caught up", channel)
    assert line.startswith("Incident 1 can't be resolved yet: set `region` first")
    assert incident(slack).is_open

    slack.command("set region EU-West", channel=channel)
    slack.command("set services api, payments", channel=channel)
    slack.command("set ticket https://tickets.example.com/T-1", channel=channel)
    slack.command("set owner <@U2|bob>", channel=channel)
    wanted = (
        "*Owner:* <@U2>",
        "*Region:* eu-west",
        "*Services:* api, payments",
        "*Ticket:* https://tickets.example.com/T-1",
    )
    # The four run concurrently (each after its ack): wait for the card to show them all.
    slack.fake.wait_for(lambda f: all(w in card(slack, channel) for w in wanted))

    slack.command("resolved the replica caught up", channel=channel)
    slack.fake.wait_for(lambda f: any("Marked resolved" in p for p in slack.posts(channel)))
    number = incident(slack).id
    with slack.deps.db.unit_of_work() as session:
        row = export.incident_dict(session.get(Incident, number))
        csv_text = export.to_csv([session.get(Incident, number)])
    assert row["type"] is None
    assert row["fields"] == {
        "region": "eu-west",
        "services": ["api", "payments"],
        "ticket": "https://tickets.example.com/T-1",
        "owner": "U2",
    }
    with slack.deps.db.unit_of_work() as session:
        postmortem = render_markdown_many(session, [session.get(Incident, number)], slack.settings)
    assert "| region | eu-west |" in postmortem and "| services | api, payments |" in postmortem
    assert csv_text.splitlines()[0].endswith(",type,fields")
    assert '""region"": ""eu-west""' in csv_text
    slack.fake.assert_no_violations()


def test_list_and_stats_filter_by_type(make_slack: Make, tmp_path: Path) -> None:
    slack = start(make_slack, tmp_path, TYPES_AND_FIELDS)
    slack.declare("Disk full", flags="type:database")
    slack.declare("Phishing", flags="sev1 type:security")
    slack.forget_replies()
    slack.command("list type:database", user="U2")
    slack.fake.wait_for(lambda f: f.responses)
    listed = json.dumps([body for _id, body in slack.fake.responses])
    assert "Disk full" in listed and "Phishing" not in listed
    slack.forget_replies()
    slack.command("stats 30d type:security", user="U2")
    slack.fake.wait_for(lambda f: f.responses, timeout=30)
    shown = json.dumps(slack.fake.responses[-1][1]["blocks"], ensure_ascii=False)
    assert "type security" in shown and "*SEV1* · 1 incident" in shown
    assert "SEV2" not in shown


def test_declare_modal_asks_type_and_fields(make_slack: Make, tmp_path: Path) -> None:
    slack = start(
        make_slack, tmp_path, TYPES_AND_FIELDS.replace("required: resolve", "required: declare")
    )
    slack.command("declare")
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    view = slack.fake.calls_to("views.open")[0].args["view"]
    blocks = {b["block_id"]: b for b in view["blocks"]}
    types = [o["value"] for o in blocks["incident_type"]["element"]["options"]]
    assert types == ["database", "security"]
    assert not blocks["field:region"]["optional"], "required at declare: the modal asks"
    assert blocks["field:services"]["element"]["type"] == "multi_static_select"
    assert blocks["field:owner"]["element"]["type"] == "users_select"

    def values(ticket: str) -> dict:
        return {
            "title": {"title": {"type": "plain_text_input", "value": "Disk full"}},
            "severity": {
                "severity": {"type": "static_select", "selected_option": {"value": "sev2"}}
            },
            "private": {"private": {"type": "checkboxes", "selected_options": []}},
            "incident_type": {
                "incident_type": {"type": "static_select", "selected_option": {"value": "database"}}
            },
            "field:region": {
                "field:region": {"type": "static_select", "selected_option": {"value": "us-east"}}
            },
            "field:services": {
                "field:services": {
                    "type": "multi_static_select",
                    "selected_options": [{"value": "api"}, {"value": "web"}],
                }
            },
            "field:ticket": {"field:ticket": {"type": "plain_text_input", "value": ticket}},
        }

    meta = view["private_metadata"]
    refused = slack.driver.view_submission("declare_modal", values("nope"), private_metadata=meta)
    assert refused.json()["response_action"] == "errors"
    assert "not a link" in refused.json()["errors"]["field:ticket"]
    ok = slack.driver.view_submission(
        "declare_modal", values("https://t.example.com/1"), private_metadata=meta
    )
    assert ok.status == 200
    slack.fake.wait_for(lambda f: f.calls_to("pins.add"), timeout=10)
    created = incident(slack)
    assert created.type == "database"
    assert created.fields == {
        "region": "us-east",
        "services": ["api", "web"],
        "ticket": "https://t.example.com/1",
    }


def test_the_resolve_modal_asks_for_the_fields_required_at_resolve(
    make_slack: Make, tmp_path: Path
) -> None:
    slack = start(make_slack, tmp_path, TYPES_AND_FIELDS)
    channel = slack.declare("Replica lag")
    slack.command("resolved", channel=channel)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"), what="the resolve modal")
    view = slack.fake.calls_to("views.open")[-1].args["view"]
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert "field:region" in blocks and not blocks["field:region"].get("optional")
    assert "field:services" not in blocks, "only what resolving needs"
    region = {"type": "static_select", "selected_option": {"value": "eu-west"}}
    values = {
        ids.RESOLUTION_INPUT: {
            ids.RESOLUTION_INPUT: {"type": "plain_text_input", "value": "Replica caught up"}
        },
        "field:region": {"field:region": region},
    }
    answer = slack.driver.view_submission(
        ids.RESOLVE_MODAL, values, private_metadata=view["private_metadata"]
    )
    assert answer.status == 200 and not answer.text, answer.text
    slack.fake.wait_for(lambda f: any("Marked resolved" in p for p in slack.posts(channel)))
    resolved = incident(slack)
    assert (resolved.fields, resolved.resolution) == ({"region": "eu-west"}, "Replica caught up")
    assert not resolved.is_open
