"""Action items end to end through our code: commands, use cases, the database and FakeSlack."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.errors import IncidentError
from bot.followups.items import parse_ref
from bot.followups.service import FollowupService
from bot.incidents.service import IncidentService
from bot.models import ActionItem, TimelineEntry
from bot.wiring import Deps
from handlers.commands.invocation import Reply
from handlers.commands.table import run
from tests.support.fakeslack import FakeSlack
from tests.support.scheduling import deliver, make_deps, open_incident, posts_in, utc

NOW = utc(2026, 11, 26, 12, 0)


@pytest.fixture
def deps(db: Database, fake: FakeSlack) -> Deps:
    return make_deps(db, fake, NOW)


def command(deps: Deps, text: str, *, user: str = "U1", channel: str) -> Reply:
    return run(text, user=user, channel=channel, trigger_id=None, service=IncidentService(deps))


def items(db: Database) -> list[ActionItem]:
    with db.unit_of_work() as session:
        return list(session.scalars(select(ActionItem).order_by(ActionItem.id)))


def test_action_records_item_timeline_entry_and_posts_it(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, NOW)
    reply = command(
        deps, "action Add a canary stage <@U2> due tomorrow", channel=incident.channel_id
    )
    [item] = items(deps.db)
    assert (item.text, item.owner, item.due) == ("Add a canary stage", "U2", date(2026, 11, 27))
    assert (item.priority, item.type, item.status) == (None, None, "open")  # nobody chose
    assert "AI-1" in reply.text
    with deps.db.unit_of_work() as session:
        kinds = session.scalars(select(TimelineEntry.kind).order_by(TimelineEntry.id)).all()
    assert kinds[-1] == "action"
    assert deliver(deps) == [f"1 timeline change(s) posted in {incident.channel_id}"]
    [post] = [p for p in posts_in(fake, incident.channel_id) if "AI-1" in p.args["text"]]
    assert "<@U2>" in post.args["text"] and "due Fri 2026-11-27" in post.args["text"]
    assert "Action item AI-1: Add a canary stage" in post.args["text"]  # no type nobody chose
    fake.assert_no_violations()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("action Fix it due 2026-11-01", "in the past"),
        ("action Fix it due 2026-13-45", "is not a due date"),
        ("action Fix it due someday", "is not a due date"),
        ("action Fix it <@UNOBODY>", "Slack doesn't know <@UNOBODY>"),
        ("action Fix it @bob", "`@bob` is not a person"),
        ("action", "Missing text"),
    ],
)
def test_bad_action_input_gives_one_line_and_stores_nothing(
    deps: Deps, fake: FakeSlack, text: str, expected: str
) -> None:
    incident = open_incident(deps.db, fake, NOW)
    with pytest.raises(IncidentError) as caught:
        command(deps, text, channel=incident.channel_id)
    assert expected in caught.value.message and "\n" not in caught.value.message
    assert items(deps.db) == []


def test_action_outside_an_incident_channel_is_refused(deps: Deps, fake: FakeSlack) -> None:
    elsewhere = fake.add_channel("random")
    with pytest.raises(IncidentError, match="only works in an incident channel"):
        command(deps, "action Fix it", channel=elsewhere)


def test_actions_lists_mine_all_and_the_incidents(deps: Deps, fake: FakeSlack) -> None:
    one = open_incident(deps.db, fake, NOW, number=1)
    two = open_incident(deps.db, fake, NOW, number=2)
    command(deps, "action First <@U2> due tomorrow", channel=one.channel_id)
    command(deps, "action Second <@U3>", channel=two.channel_id)
    elsewhere = fake.add_channel("random")
    mine = command(deps, "actions", user="U2", channel=elsewhere)
    assert mine.text == "Your action items: 1 open"
    everyone = command(deps, "actions all", user="U2", channel=elsewhere)
    assert everyone.text == "All action items: 2 open"
    here = command(deps, "actions", user="U3", channel=two.channel_id)
    assert here.text == "Action items of incident 2: 1 open"
    with pytest.raises(IncidentError, match="Use: `/incident actions"):
        command(deps, "actions everything", channel=elsewhere)


def test_done_closes_once_from_anywhere(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, NOW)
    command(deps, "action Fix it <@U2>", channel=incident.channel_id)
    elsewhere = fake.add_channel("random")
    assert "AI-1 is done" in command(deps, "done AI-1", user="U2", channel=elsewhere).text
    [item] = items(deps.db)
    assert (item.status, item.closed_by, item.closed_at) == ("done", "U2", NOW)
    with pytest.raises(IncidentError, match="already done"):
        command(deps, "done 1", user="U2", channel=elsewhere)
    with pytest.raises(IncidentError, match="There is no action item AI-99"):
        command(deps, "done 99", channel=elsewhere)
    with pytest.raises(IncidentError, match="is not an action item"):
        command(deps, "done soon", channel=elsewhere)


def test_private_items_are_invisible_to_non_members(deps: Deps, fake: FakeSlack) -> None:
    secret = open_incident(deps.db, fake, NOW, private=True)
    command(deps, "action Rotate the key <@U1>", channel=secret.channel_id)
    elsewhere = fake.add_channel("random")
    with pytest.raises(IncidentError, match="There is no action item AI-1"):
        command(deps, "done AI-1", user="U3", channel=elsewhere)
    assert command(deps, "actions all", user="U3", channel=elsewhere).text.endswith(": 0 open")
    assert items(deps.db)[0].status == "open"


def test_items_outlive_an_archived_channel(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, NOW)
    command(deps, "action Write the runbook <@U2>", channel=incident.channel_id)
    deps.notifier.archive(incident.channel_id)
    elsewhere = fake.add_channel("random")
    command(deps, "done AI-1", user="U2", channel=elsewhere)
    assert items(deps.db)[0].status == "done"


def test_snooze_reassign_redate(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, NOW)
    command(deps, "action Fix it <@U2> due 2026-11-27", channel=incident.channel_id)
    followups = FollowupService(IncidentService(deps))
    assert followups.snooze("U2", 1).due == date(2026, 12, 4)
    assert followups.reassign("U2", 1, "U3").owner == "U3"
    assert followups.redate("U3", 1, date(2026, 12, 24)).due == date(2026, 12, 24)
    with pytest.raises(IncidentError, match="in the past"):
        followups.redate("U3", 1, NOW.date() - timedelta(days=1))
    with pytest.raises(IncidentError, match="already owns"):
        followups.reassign("U3", 1, "U3")
    with deps.db.unit_of_work() as session:
        texts = session.scalars(
            select(TimelineEntry.text).where(TimelineEntry.kind == "action")
        ).all()
    assert any("reassigned to <@U3>" in t for t in texts)


def test_parse_ref_accepts_the_shown_forms() -> None:
    assert [parse_ref(t) for t in ("AI-12", "ai12", "#12", "12")] == [12, 12, 12, 12]
