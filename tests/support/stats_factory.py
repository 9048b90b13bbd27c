"""Incidents written straight to the database for statistics and metrics tests."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.incidents.lifecycle import refresh_durations
from bot.models import Incident


def add_incident(
    session: Session,
    number: int,
    *,
    declared: datetime,
    severity: str = "sev3",
    private: bool = False,
    **milestones: datetime | None,
) -> Incident:
    """One incident with the given milestones (`started=…, resolved=…`)."""
    resolved = milestones.get("resolved")
    incident = Incident(
        number=number,
        title=f"Incident {number}",
        severity=severity,
        status="resolved" if resolved else "investigating",
        private=private,
        channel_id=f"C{number:08d}",
        channel_name=f"inc-{number}",
        declared_by="U1",
        declared_at=declared,
        last_activity_at=declared,
        members=["U1"],
        **{f"{name}_at": value for name, value in milestones.items()},
    )
    refresh_durations(incident)
    session.add(incident)
    return incident
