"""The alert service: record in one transaction, answer, and leave Slack to the courier."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_sdk.models.views import View

from bot.alerts import declaring, linking, modals
from bot.alerts.courier import courier_for
from bot.alerts.intake import accept, parse, writing
from bot.errors import IncidentError
from bot.incidents import lifecycle
from bot.incidents.membership import Membership
from bot.models import Incident
from bot.wiring import Deps


@dataclass(frozen=True)
class Received:
    """The answer for the sender: what happened to its notification."""

    outcome: str  # recorded | duplicate | ignored
    reason: str = ""


class AlertService:
    """Notifications in, triage decisions from buttons; Slack work goes to the courier."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.courier = courier_for(deps)

    def receive(self, source: str, body: Any, raw: bytes) -> Received:
        """Store one notification (once, however often it is sent) and answer; applying it to
        its group and the Slack work come after, from the record."""
        now = self.deps.clock()
        note = parse(source, body, raw, now)  # a PayloadError is the sender's 400
        if note is None:
            return Received("ignored", reason="this event type is not used")
        with writing(self.deps.db), self.deps.db.engine.begin() as conn:
            fresh = accept(conn, note, raw, now)
        if not fresh:
            return Received("duplicate")
        self.courier.take_in()
        return Received("recorded")

    # --- the triage message's buttons -------------------------------------------------------
    def declare_modal(self, group_id: int, user: str) -> View:
        """Declare incident pressed: the press is recorded, the modal comes prefilled."""
        with self.deps.db.unit_of_work() as session:
            group = linking.press(session, group_id, user, self.deps.clock())
            title, severity = group.incident_title, group.severity
        self.courier.poke([("group", group_id)])
        return modals.declare_modal(group_id, title, severity)

    def attach_modal(self, group_id: int, user: str) -> View:
        """Attach pressed: the open incidents this person may see (never others' private ones)."""
        with self.deps.db.unit_of_work() as session:
            linking.press(session, group_id, user, self.deps.clock())
            visible = [
                (i.id, i.number, i.title, i.private)
                for i in lifecycle.open_incidents(session, user)
            ]
        if not visible:
            raise IncidentError(
                "There are no open incidents you can see to attach these alerts to: "
                "use Declare incident."
            )
        return modals.attach_modal(group_id, visible)

    def declare(
        self, group_id: int, user: str, *, title: str, severity: str, private: bool
    ) -> tuple[Incident, list[str]]:
        """Declare from the modal: the incident gets the group, its milestones and timeline."""
        incident, problems = declaring.declare(
            self.deps, group_id, user=user, title=title, severity=severity, private=private, by=user
        )
        self.courier.poke([("group", group_id)])
        return incident, problems

    def attach(self, group_id: int, incident_id: int, user: str) -> Incident:
        """Attach to an incident the person is a member of."""
        Membership(self.deps).require_incident(incident_id, user)
        incident = declaring.attach(self.deps, group_id, incident_id, user)
        self.courier.poke([("group", group_id)])
        return incident

    def ignore(self, group_id: int, user: str) -> None:
        with self.deps.db.unit_of_work() as session:
            linking.ignore(session, group_id, user, self.deps.clock())
        self.courier.poke([("group", group_id)])
