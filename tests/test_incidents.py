"""Incident use cases on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot import incidents
from bot.db import Database
from bot.errors import IncidentError
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
