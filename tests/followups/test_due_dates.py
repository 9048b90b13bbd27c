"""Due dates are local days: today is allowed and not overdue; overdue means an earlier day."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from slack_sdk.models.blocks import Block

from bot.db import Database
from bot.incidents.service import IncidentService
from bot.overview.digest import build_report
from bot.overview.digest_messages import digest_messages
from bot.wiring import Deps
from handlers.commands.table import run
from tests.support.fakeslack import FakeSlack
from tests.support.scheduling import add_item, make_deps, open_incident, utc

# 23:30 UTC on Thursday the 26th is already 00:30 on Friday the 27th in Berlin: "today" there
# is the 27th, while UTC's date is still the 26th.
NOW = utc(2026, 11, 26, 23, 30)
TODAY, YESTERDAY, TOMORROW = date(2026, 11, 27), date(2026, 11, 26), date(2026, 11, 28)


@pytest.fixture
def deps(db: Database, fake: FakeSlack) -> Deps:
    fake.add_user("U1", tz="Europe/Berlin")  # the typist's own zone says what "today" is
    return make_deps(db, fake, NOW, INCIDENT_TIMEZONE="Europe/Berlin")


def _texts(blocks: list[Block]) -> list[str]:
    """The text of every section, as Slack would show it."""
    dicts = [b.to_dict() for b in blocks]
    return [d["text"]["text"] for d in dicts if d.get("type") == "section" and "text" in d]


def _line(lines: list[str], text: str) -> str:
    (found,) = [line for line in "\n".join(lines).splitlines() if text in line]
    return found


def test_due_today_is_accepted_and_listed_as_due_today(deps: Deps, fake: FakeSlack) -> None:
    incident = open_incident(deps.db, fake, datetime(2026, 11, 26, 20, 0, tzinfo=NOW.tzinfo))
    service = IncidentService(deps)

    def command(text: str) -> list[str]:
        reply = run(text, user="U1", channel=incident.channel_id, trigger_id=None, service=service)
        return [reply.text, *_texts(reply.blocks)]

    command("action Page the DBA <@U2> due today")
    command("action Rotate the key <@U2> due 2026-11-27")  # today in Berlin, typed as a date
    command("action Add a canary <@U2> due tomorrow")
    add_item(deps.db, incident, now=NOW, due=YESTERDAY, text="Write the runbook")
    listed = command("actions all")
    assert _line(listed, "Page the DBA").endswith(f"*due today* (Fri {TODAY}) · incident 1")
    assert f"*due today* (Fri {TODAY})" in _line(listed, "Rotate the key")
    assert f"due tomorrow (Sat {TOMORROW})" in _line(listed, "Add a canary")
    assert f":warning: *overdue by 1 day* (due Thu {YESTERDAY})" in _line(
        listed, "Write the runbook"
    )
    assert sum("overdue" in line for line in listed) == 1


def test_digest_counts_only_earlier_days_as_overdue(deps: Deps) -> None:
    for due, text in ((TOMORROW, "Add a canary"), (TODAY, "Page the DBA"), (YESTERDAY, "Late")):
        add_item(deps.db, None, now=NOW, due=due, text=text)
    add_item(deps.db, None, now=NOW, due=None, text="Someday")
    with deps.db.unit_of_work() as session:
        report = build_report(session, deps.settings.zone, now=NOW, week_end=NOW)
    (message,) = digest_messages(report)
    lines = _texts(message[1])
    assert lines[0].startswith("*4 open action items*, 1 overdue · ")
    text = "\n".join(lines)
    overdue, rest = text.split(":rotating_light: *Overdue*")[1].split(":clipboard: *Open*")
    assert "Late" in overdue and f":warning: *overdue by 1 day* (due Thu {YESTERDAY})" in overdue
    for other in ("Page the DBA", "Add a canary", "Someday"):
        assert other not in overdue and other in rest
    assert f"Page the DBA — *due today* (Fri {TODAY})" in rest
