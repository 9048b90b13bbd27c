"""Incident use cases on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.errors import IncidentError
from bot.incidents import lifecycle as incidents
from bot.incidents.lifecycle import milestone_times
from bot.incidents.rules import DURATIONS, durations
from bot.models import Incident, TimelineEntry

NOW = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)


def _declare(db: Database, number: int | None = None) -> int:
    with db.unit_of_work() as session:
        number = number or incidents.claim_number(session)
        incidents.declare(
            session,
            now=NOW,
            number=number,
            title="Checkout down",
            severity="sev2",
            private=False,
            channel_id=f"C{number}",
            channel_name=f"inc-{number}-checkout-down",
            declared_by="U1",
        )
    return number


def test_numbers_are_claimed_in_order(db: Database) -> None:
    assert [_declare(db), _declare(db), _declare(db)] == [1, 2, 3]


def test_timestamps_come_back_utc_aware(db: Database) -> None:
    number = _declare(db)
    with db.unit_of_work() as session:
        incident = incidents.by_number(session, number)
        assert incident.declared_at == NOW
        assert incident.declared_at.tzinfo is not None
        assert incident.declared_at.utcoffset() == timedelta(0)


def test_milestones_keep_order_and_nothing_half_applies(db: Database) -> None:
    number = _declare(db)
    with db.unit_of_work() as session:
        incident = incidents.by_number(session, number)
        incidents.set_milestone(
            session, incident, now=NOW, user="U1", name="mitigated", at=NOW - timedelta(minutes=5)
        )
    with pytest.raises(IncidentError, match="after mitigated"), db.unit_of_work() as session:
        incident = incidents.by_number(session, number)
        incidents.record_note(session, incident, now=NOW, at=NOW, user="U1", text="first")
        incidents.set_milestone(session, incident, now=NOW, user="U1", name="detected", at=NOW)
    with db.unit_of_work() as session:
        incident = incidents.by_number(session, number)
        assert incident.detected_at is None
        texts = session.scalars(select(TimelineEntry.text)).all()
        assert "first" not in texts  # the whole unit of work rolled back


def test_resolve_closes_and_decision_is_first_class(db: Database) -> None:
    number = _declare(db)
    with db.unit_of_work() as session:
        incident = incidents.by_number(session, number)
        incidents.record_decision(
            session,
            incident,
            now=NOW,
            at=NOW,
            user="U1",
            text="Roll back 4.2",
            rationale="errors began with 4.2",
            alternatives="hotfix forward",
            decided_by="U2",
        )
        incidents.set_milestone(session, incident, now=NOW, user="U1", name="resolved", at=NOW)
    with db.unit_of_work() as session:
        incident = session.scalars(select(Incident)).one()
        assert incident.status == "resolved" and not incident.is_open
        decision = next(e for e in incident.timeline if e.kind == "decision")
        assert (decision.rationale, decision.alternatives, decision.decided_by) == (
            "errors began with 4.2",
            "hotfix forward",
            "U2",
        )
        with pytest.raises(IncidentError, match="already resolved"):
            incidents.set_milestone(session, incident, now=NOW, user="U1", name="resolved", at=NOW)


def _stored(incident: Incident) -> dict[str, int | None]:
    return {name: getattr(incident, name) for name in DURATIONS}


def test_stored_durations_follow_every_milestone_change(db: Database) -> None:
    """The stored columns equal bot.policy.durations after declaring and each set_milestone.

    Microsecond fractions truncate toward zero; setting an earlier milestone later (started
    after detected) recomputes what depends on it; a milestone before declared_at with
    detected unset gives a negative duration, stored as the policy computes it.
    """
    declared = datetime(2026, 11, 26, 14, 0, 0, 999_999, tzinfo=UTC)
    with db.unit_of_work() as session:
        incident = incidents.declare(
            session,
            now=declared,
            number=1,
            title="Checkout down",
            severity="sev2",
            private=False,
            channel_id="C1",
            channel_name="inc-1-checkout-down",
            declared_by="U1",
        )
        assert _stored(incident) == dict.fromkeys(DURATIONS)
    steps = [
        ("acknowledged", declared - timedelta(seconds=90, microseconds=1)),  # negative
        ("detected", declared - timedelta(minutes=5, microseconds=500_000)),
        ("mitigated", declared + timedelta(hours=1, microseconds=1)),
        ("started", declared - timedelta(minutes=20, microseconds=999_998)),
        ("resolved", declared + timedelta(hours=2, seconds=59, microseconds=999_999)),
    ]
    stored = []
    for name, at in steps:
        with db.unit_of_work() as session:
            incident = incidents.by_number(session, 1)
            incidents.set_milestone(session, incident, now=NOW, user="U1", name=name, at=at)
        with db.unit_of_work() as session:  # what was stored, read back
            incident = incidents.by_number(session, 1)
            assert _stored(incident) == durations(milestone_times(incident)), name
            stored.append(_stored(incident))
    assert stored[0]["time_to_acknowledge"] == -90  # -90.000001s, toward zero
    assert stored[1]["time_to_acknowledge"] == 210  # 210.499999s
    assert stored[-1] == {
        "time_to_detect": 900,  # 900.499998s
        "time_to_acknowledge": 210,
        "time_to_mitigate": 4800,  # 4800.999999s
        "time_to_resolve": 8460,  # 8460.999997s
    }
