"""A resolved incident with milestones, notes, a decision and an action item, for drafting."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.db import Database
from bot.incidents import lifecycle as incidents
from bot.models import ActionItem

T0 = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)


def build_incident(db: Database, notes: list[str] = (), severity: str = "sev2") -> int:  # type: ignore[assignment]
    """A resolved incident with milestones, notes, a decision and an action item."""
    with db.unit_of_work() as s:
        inc = incidents.declare(
            s,
            now=T0,
            number=7,
            title="Checkout returns 500s",
            severity=severity,
            private=False,
            channel_id="CINC7",
            channel_name="inc-7-checkout-returns-500s",
            declared_by="U1",
        )
        incidents.set_milestone(
            s, inc, now=T0, user="U1", name="started", at=T0 - timedelta(minutes=20)
        )
        incidents.set_milestone(
            s, inc, now=T0, user="U1", name="detected", at=T0 - timedelta(minutes=8)
        )
        for k, text in enumerate(notes):  # stored as given: drafting must survive any text
            at = T0 + timedelta(minutes=1, seconds=k)
            incidents.add_entry(s, inc, at=at, kind="note", text=text, author="U2", now=T0)
        incidents.record_decision(
            s,
            inc,
            now=T0,
            at=T0 + timedelta(minutes=5),
            user="U1",
            text="Roll back deploy 42",
            rationale="errors began with it",
            alternatives="hotfix",
        )
        incidents.set_milestone(
            s, inc, now=T0, user="U1", name="mitigated", at=T0 + timedelta(minutes=9)
        )
        incidents.set_milestone(
            s, inc, now=T0, user="U1", name="resolved", at=T0 + timedelta(minutes=30)
        )
        s.add(
            ActionItem(
                incident=inc,
                text="Add a canary stage",
                owner="U2",
                due=date(2026, 12, 3),
                created_by="U1",
                created_at=T0,
            )
        )
        s.flush()
        return inc.id
