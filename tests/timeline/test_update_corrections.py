"""A stakeholder update corrected or removed on the timeline is corrected or gone as an update
too (export, status page, cadence read `incident_updates`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.comms.updates import record_update, updates_of
from bot.db import Database
from bot.incidents import lifecycle
from bot.timeline.edit import correct_entry, remove_entry

T0 = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_corrected_and_removed_updates_follow_their_timeline_entries(db: Database) -> None:
    with db.unit_of_work() as s:
        incident = lifecycle.declare(
            s,
            now=T0,
            number=1,
            title="DNS outage",
            severity="sev2",
            private=False,
            channel_id="C1",
            channel_name="inc-1-dns-outage",
            declared_by="U1",
        )
        first = record_update(s, incident, now=T0, user="U1", text="Failing over")
        second = record_update(s, incident, now=T0, user="U1", text="Typo'd update")
        s.flush()
        incident_id, first_id, second_id = incident.id, first.id, second.id
    later = T0 + timedelta(minutes=5)
    with db.unit_of_work() as s:
        correct_entry(s, first_id, user="U2", now=later, at=later, text="Failed over to standby")
        remove_entry(s, second_id, user="U2", now=later)
    with db.unit_of_work() as s:
        assert [(u.text, u.at) for u in updates_of(s, incident_id)] == [
            ("Failed over to standby", later)
        ]
