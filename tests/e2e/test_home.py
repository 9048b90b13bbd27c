"""App Home over signed HTTP: open incidents, the viewer's roles and action items, Declare."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, select

from bot.models import ActionItem, Incident, RoleAssignment
from tests.support.harness import SlackHarness


def _home(slack: SlackHarness, user: str) -> dict[str, Any]:
    before = len(slack.fake.calls_to("views.publish"))
    assert slack.driver.app_home_opened(user).status == 200
    slack.fake.wait_for(lambda f: len(f.calls_to("views.publish")) > before)
    call = slack.fake.calls_to("views.publish")[-1]
    assert call.args["user_id"] == user
    return dict(call.args["view"])


def test_home_shows_open_incidents_roles_and_my_action_items(slack: SlackHarness) -> None:
    slack.declare("Checkout down", user="U1", flags="sev2")
    slack.declare("Secret breach", user="U1", flags="--private")
    with slack.deps.db.unit_of_work() as session:
        public = session.scalars(select(Incident).where(Incident.number == 1)).one()
        for owner, text in (("U2", "Add a checkout canary"), ("U1", "Not for bob")):
            session.add(
                ActionItem(
                    incident=public,
                    text=text,
                    owner=owner,
                    created_by="U1",
                    created_at=public.declared_at,
                )
            )
    bob = json.dumps(_home(slack, "U2"))
    assert "Checkout down" in bob and "SEV2" in bob and "IC <@U1>" in bob and "investigating" in bob
    assert "Secret breach" not in bob, "a private incident is shown only to its members"
    assert "Add a checkout canary" in bob and "Not for bob" not in bob
    assert "You hold no incident role." in bob
    alice = json.dumps(_home(slack, "U1"), ensure_ascii=False)
    assert "Secret breach" in alice and ":lock:" in alice
    assert alice.count("*commander* of") == 2
    slack.fake.assert_no_violations()


def test_declare_button_on_home_opens_the_declare_modal(slack: SlackHarness) -> None:
    home = _home(slack, "U2")
    assert "No open incidents" in json.dumps(home)
    view_id = slack.fake.home_views["U2"]["id"]
    slack.driver.block_action("home_declare", user="U2", view=view_id)
    slack.fake.wait_for(lambda f: f.calls_to("views.open"))
    assert slack.fake.calls_to("views.open")[0].args["view"]["callback_id"] == "declare_modal"


def test_messages_tab_publishes_nothing(slack: SlackHarness) -> None:
    slack.driver.app_home_opened("U1", tab="messages")
    _home(slack, "U1")  # the next Home open is the first publish
    assert len(slack.fake.calls_to("views.publish")) == 1


def test_two_hundred_open_incidents_stay_within_limits(slack: SlackHarness) -> None:
    with slack.deps.db.unit_of_work() as session:
        now = slack.deps.clock()
        rows = [
            {
                "number": n,
                "title": f"Incident number {n} with a fairly long descriptive title " + "y" * 80,
                "severity": f"sev{n % 4 + 1}",
                "status": "investigating",
                "private": n % 10 == 0,
                "channel_id": f"C0SCALE{n:04d}",
                "channel_name": f"inc-{n}",
                "commander": "U1",
                "declared_by": "U1",
                "declared_at": now - timedelta(hours=n),
                "last_activity_at": now,
                "members": ["U1"],
            }
            for n in range(1, 201)
        ]
        session.execute(insert(Incident), rows)
        ids = session.scalars(select(Incident.id)).all()
        session.execute(
            insert(RoleAssignment),
            [
                {
                    "incident_id": i,
                    "role": "commander",
                    "user_id": "U1",
                    "assigned_at": now,
                    "assigned_by": "U1",
                }
                for i in ids
            ],
        )
        session.execute(
            insert(ActionItem),
            [
                {"text": f"follow-up {k} " + "z" * 150, "owner": "U1", "created_by": "U1"}
                | {"created_at": now, "incident_id": ids[k % len(ids)]}
                for k in range(300)
            ],
        )
    for viewer in ("U1", "U2"):
        view = _home(slack, viewer)
        assert len(view["blocks"]) <= 100
        print(f"home of {viewer}: {len(view['blocks'])} blocks, {len(json.dumps(view))} bytes")
    alice = json.dumps(_home(slack, "U1"), ensure_ascii=False)
    assert "Open incidents (200)" in alice and "…and 100 more: `/incident list`" in alice
    assert "…and 250 more: `/incident actions mine`" in alice
    assert "Open incidents (180)" in json.dumps(_home(slack, "U2"))
    slack.fake.assert_no_violations()
