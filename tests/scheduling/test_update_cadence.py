"""Update cadence (issue 13, point 5): when no stakeholder update was posted for
INCIDENT_UPDATE_EVERY_<sev>, the comms lead (else the commander) gets one reminder; a promised
"next update in" overrides the cadence. Two scheduler processes: test_processes.py."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.comms.updates import record_update
from bot.db import Database
from bot.incidents import lifecycle as incidents
from bot.models import Incident
from bot.scheduling.cadence import update_due
from bot.scheduling.runner import run_due
from bot.wiring import Deps
from tests.support.fakeslack import FakeSlack
from tests.support.scheduling import dms, make_deps, open_incident, outbox_rows, utc

NOW = utc(2026, 11, 23, 12, 0)
EVERY = {f"INCIDENT_UPDATE_EVERY_SEV{n}": v for n, v in ((1, "30m"), (2, "1h"))}


def _deps(db: Database, fake: FakeSlack) -> Deps:
    # The channel nudges (timeline activity) are off: only the update reminders are counted.
    off = {f"INCIDENT_NUDGE_{k}": "off" for k in ("UNOWNED", "SEV1", "SEV2")}
    return make_deps(db, fake, NOW, **off, **EVERY)


def _update(db: Database, incident: Incident, at: datetime, next_in: int | None = None) -> None:
    with db.unit_of_work() as session:
        stored = session.get(Incident, incident.id)
        assert stored is not None
        record_update(
            session, stored, now=at, user="U1", text="Still rolling back", next_in=next_in
        )


def test_the_cadence_rule() -> None:
    assert update_due(declared=NOW, last=None, promised=None, every=1800) == NOW + timedelta(
        minutes=30
    )
    later = NOW + timedelta(minutes=50)
    assert update_due(declared=NOW, last=later, promised=None, every=3600) == later + timedelta(
        hours=1
    )
    promised = NOW + timedelta(hours=3)
    assert update_due(declared=NOW, last=later, promised=promised, every=1800) == promised
    assert update_due(declared=NOW, last=None, promised=None, every=0) is None


def test_one_reminder_per_quiet_spell_to_the_commander(db: Database, fake: FakeSlack) -> None:
    deps = _deps(db, fake)
    incident = open_incident(db, fake, NOW, severity="sev1")
    assert run_due(deps, NOW + timedelta(minutes=29)) == []
    assert run_due(deps, NOW + timedelta(minutes=31)) == ["update reminder incident 1 to U1"]
    assert run_due(deps, NOW + timedelta(minutes=50)) == [], "one reminder, not one per sweep"
    (sent,) = dms(fake)
    assert sent.args["text"].startswith(":mega: Incident 1 (<#")
    assert "has had no update yet" in sent.args["text"]
    button = sent.args["blocks"][1]["elements"][0]
    assert (button["action_id"], button["value"]) == ("update_open", incident.channel_id)
    # An update starts a new spell: the next reminder comes 30m after it, once.
    _update(db, incident, NOW + timedelta(minutes=55))
    assert run_due(deps, NOW + timedelta(minutes=84)) == []
    assert run_due(deps, NOW + timedelta(minutes=86)) == ["update reminder incident 1 to U1"]
    assert "no update for 31m" in dms(fake)[-1].args["text"]
    assert run_due(deps, NOW + timedelta(hours=3)) == []


def test_the_comms_lead_is_reminded_and_a_promise_overrides_the_cadence(
    db: Database, fake: FakeSlack
) -> None:
    deps = _deps(db, fake)
    incident = open_incident(db, fake, NOW, severity="sev2")
    with db.unit_of_work() as session:
        stored = session.get(Incident, incident.id)
        assert stored is not None
        incidents.assign_role(session, stored, now=NOW, user="U1", role="comms", assignee="U3")
    _update(db, incident, NOW + timedelta(minutes=5), next_in=3 * 3600)  # "next update in 3h"
    assert run_due(deps, NOW + timedelta(hours=2)) == [], "the promise, not the 1h cadence"
    assert run_due(deps, NOW + timedelta(hours=3, minutes=6)) == [
        "update reminder incident 1 to U3"
    ]


def test_no_reminder_when_off_or_resolved_or_an_update_came_after_planning(
    db: Database, fake: FakeSlack
) -> None:
    deps = _deps(db, fake)
    open_incident(db, fake, NOW, number=1, severity="sev3")  # off by default
    quiet = open_incident(db, fake, NOW, number=2, severity="sev1")
    resolved = open_incident(db, fake, NOW, number=3, severity="sev1")
    with db.unit_of_work() as session:
        stored = session.get(Incident, resolved.id)
        assert stored is not None
        incidents.set_milestone(session, stored, now=NOW, user="U1", name="resolved", at=NOW)
    # Planned by a sweep that then could not send (Slack down), an update comes meanwhile.
    fake.fail("conversations.open", error="fatal_error", times=1)
    assert run_due(deps, NOW + timedelta(minutes=31)) == []
    _update(db, quiet, NOW + timedelta(minutes=32))
    assert run_due(deps, NOW + timedelta(hours=1)) == []
    (row,) = outbox_rows(db, "update_due")
    assert row.sent_at is not None and row.last_error == "skipped: an update was posted"
    assert dms(fake) == []
