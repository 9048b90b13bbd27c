"""Correcting the timeline: edit an entry's time and text, or remove it; every change recorded."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from bot.errors import IncidentError, NotFound
from bot.incidents.service import IncidentService
from bot.models import Incident, IncidentUpdate, TimelineEntry
from bot.parsing import check_text, parse_time
from bot.slack.people import zone_named
from bot.timeline.capture import record_revision
from bot.timeline.pages import FIXED_KINDS


def editable(entry: TimelineEntry) -> bool:
    return entry.kind not in FIXED_KINDS and not entry.removed


def _editable_entry(session: Session, entry_id: int) -> TimelineEntry:
    entry = session.get(TimelineEntry, entry_id, with_for_update=True)
    if entry is None or entry.removed:
        raise _gone()
    if not editable(entry):
        raise IncidentError(
            "Milestone entries follow the incident's milestones: change them with "
            "`/incident <milestone> at TIME`."
        )
    return entry


def _gone() -> NotFound:
    return NotFound("That timeline entry is gone (removed, or never existed).")


def remove_entry(session: Session, entry_id: int, *, user: str, now: datetime) -> TimelineEntry:
    """Take an entry off the timeline; the entry and a 'removed' revision stay as the record."""
    entry = _editable_entry(session, entry_id)
    record_revision(session, entry, reason="removed", by=user, now=now)
    entry.removed, entry.edited_at = True, now
    # A removed stakeholder update is no longer one (export, status page, cadence).
    session.execute(delete(IncidentUpdate).where(IncidentUpdate.entry_id == entry.id))
    return entry


def correct_entry(
    session: Session, entry_id: int, *, user: str, now: datetime, at: datetime, text: str
) -> TimelineEntry:
    """Correct an entry's time and text; the earlier version is kept as a revision."""
    entry = _editable_entry(session, entry_id)
    text = check_text(text, "entry")
    if entry.text == text and entry.at == at:
        return entry
    record_revision(session, entry, reason="corrected", by=user, now=now)
    entry.text, entry.at, entry.edited_at = text, at, now
    session.execute(
        update(IncidentUpdate).where(IncidentUpdate.entry_id == entry.id).values(text=text, at=at)
    )
    return entry


class TimelineEditor:
    """Timeline corrections from Slack, for members of the incident's channel only."""

    def __init__(self, service: IncidentService) -> None:
        self.service = service

    def entry(self, entry_id: int, user: str) -> tuple[TimelineEntry, Incident]:
        """The entry a member wants to change (loaded for the edit modal). The entry id may
        come from a forged payload: membership of its incident is checked before anything
        about the entry is said."""
        with self.service.db.unit_of_work() as session:
            found = session.get(TimelineEntry, entry_id)
            if found is None:
                raise _gone()
            incident_id = found.incident_id
        incident = self.service.members.require_incident(incident_id, user)
        with self.service.db.unit_of_work() as session:
            entry = _editable_entry(session, entry_id)
        return entry, incident

    def parse_at(self, raw: str, zone: str | None = None) -> datetime:
        """A corrected time, read in the editor's zone (stored in the modal when it opened)."""
        return parse_time(raw, self.service.now(), self.zone(zone))

    def zone(self, name: str | None) -> ZoneInfo:
        return zone_named(name) or self.service.settings.zone

    def remove(self, entry_id: int, user: str) -> Incident:
        _entry, incident = self.entry(entry_id, user)
        with self.service.db.unit_of_work() as session:
            remove_entry(session, entry_id, user=user, now=self.service.now())
            self._touch(session, incident)
        return incident

    def correct(self, entry_id: int, user: str, *, at: datetime, text: str) -> TimelineEntry:
        _entry, incident = self.entry(entry_id, user)
        with self.service.db.unit_of_work() as session:
            entry = correct_entry(
                session, entry_id, user=user, now=self.service.now(), at=at, text=text
            )
            self._touch(session, incident)
            return entry

    def _touch(self, session: Session, incident: Incident) -> None:
        stored = session.get(Incident, incident.id)
        if stored is not None:
            stored.last_activity_at = max(stored.last_activity_at, self.service.now())
