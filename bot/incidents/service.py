"""Application services: one unit of work per request, with what Slack must show of it
recorded in the same transaction and delivered from the record."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.comms import subscriptions
from bot.errors import IncidentError, SlackFailure
from bot.incidents import announcements, guided, publishing, setup
from bot.incidents import lifecycle as incidents
from bot.incidents.membership import Membership
from bot.incidents.publishing import is_resolution
from bot.incidents.rules import channel_name
from bot.models import TITLE_MAX, Incident, TimelineEntry
from bot.parsing import TypedTime, check_text, read_time
from bot.playbook.fields import check_type, describe_missing, missing
from bot.playbook.load import playbook_for
from bot.playbook.models import Playbook
from bot.slack.calls import UNKNOWN, hint
from bot.statuspage import publishing as status_page
from bot.wiring import Deps

__all__ = ["IncidentService", "Pending", "is_resolution", "refuse_if_blank"]
log = logging.getLogger(__name__)
SLOW_NOTICE = 3.0  # seconds before someone whose change is not in the channel yet is told
SLOW_LINE = (
    "Recorded on the timeline. Slack is slow right now: it will appear in the channel "
    "shortly, nothing to retype."
)


class Pending(IncidentError):
    """Recorded, but Slack has not shown it yet; it will (said to the person as is)."""


class IncidentService:
    """Orchestrates use cases with Slack: database first, then Slack, never half-applied."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.db = deps.db
        self.slack = deps.notifier
        self.members = Membership(deps)
        self.echo = deps.settings.INCIDENT_CHANNEL_ECHO

    @property
    def playbook(self) -> Playbook:
        """Incident types, custom fields and workflows from INCIDENT_CONFIG, as now."""
        return playbook_for(self.settings)

    def now(self) -> datetime:
        """The one clock, as the service reads it."""
        return self.deps.clock()

    def zone_of(self, user: str) -> ZoneInfo:
        """The zone a person types times in: their Slack zone, else INCIDENT_TIMEZONE."""
        return self.deps.people.zone(user, self.settings.zone)

    def read_at(self, raw: str | None, user: str) -> TypedTime | None:
        """A time `user` typed, read in their zone; None when they typed none."""
        return None if raw is None else read_time(raw, self.now(), self.zone_of(user))

    def parse_at(self, raw: str | None, user: str) -> datetime:
        """When something happened: what the person typed, or now when they typed nothing."""
        typed = self.read_at(raw, user)
        return self.now() if typed is None else typed.at

    # --- declare -----------------------------------------------------------------------
    def declare(
        self,
        *,
        user: str,
        title: str,
        severity: str | None,
        private: bool,
        incident_type: str | None = None,
        fields: dict[str, object] | None = None,
    ) -> tuple[Incident, list[str]]:
        """Record the incident, create its channel, hand the rest to the delivery worker.

        Returns once the channel exists, so the declarer gets its link at once; the invite,
        card, pin, bookmark, announcement and topic follow from the record (bot.incidents.setup).
        Raises Pending when Slack is too slow to say whether the channel was made.
        """
        check_text(title, "title", TITLE_MAX)  # refuse before touching Slack
        playbook = self.playbook
        if incident_type is not None:
            incident_type = check_type(playbook, incident_type)
            severity = severity or playbook.incident_types[incident_type].default_severity
        severity = severity or "sev3"
        now = self.now()
        worker = self.deps.delivery.name if self.deps.delivery else f"declare-{os.getpid()}"
        with self.db.unit_of_work() as session:
            number = incidents.claim_number(session)
            name = channel_name(self.settings.INCIDENT_CHANNEL_PREFIX, number, title, 0)
            incident = incidents.declare(
                session,
                now=now,
                number=number,
                title=title,
                severity=severity,
                private=private,
                channel_id=None,
                channel_name=name,
                declared_by=user,
                incident_type=incident_type,
                fields=fields,
            )
            incident.announce_channel = self.settings.INCIDENT_ANNOUNCE_CHANNEL
            setup.record(session, incident, user, now, worker)
        try:
            incident = setup.open_channel(self.deps, incident.id)
        except SlackFailure as exc:
            if exc.code not in UNKNOWN and exc.code != "ratelimited":
                setup.abandon(self.deps, incident.id)
                raise SlackFailure(
                    f"Couldn't create the incident channel: {exc.message} "
                    "Nothing was recorded; try `/incident declare` again.",
                    exc.code,
                ) from exc
            setup.hand_over(self.deps, incident.id, told=False, unknown=exc.code in UNKNOWN)
            raise Pending(
                f"Incident {number} is recorded, but Slack is slow to create its channel: it "
                "will appear shortly, you will be invited, and I'll send you its link."
            ) from exc
        except Exception as exc:
            # Recorded, and finished from the record: say so rather than apologise.
            ref = uuid.uuid4().hex[:8]
            log.exception("declaring incident %s failed after it was recorded ref=%s", number, ref)
            setup.hand_over(self.deps, incident.id, told=False, unknown=True)
            raise Pending(
                f"Incident {number} is recorded, but its channel is not made yet (ref `{ref}`): "
                "it will be retried, and I'll send you its link."
            ) from exc
        setup.hand_over(self.deps, incident.id, told=True)
        unset = missing(playbook, dict(fields or {}), "declare")
        return incident, [f"Required: {describe_missing(unset)}."] if unset else []

    # --- changes in an incident channel --------------------------------------------------
    def change(
        self,
        channel_id: str,
        user: str,
        usage: str,
        apply: Callable[[Session, Incident, datetime], TimelineEntry],
        *,
        declarer: bool = False,
        trigger: dict[str, object] | None = None,
    ) -> tuple[Incident, TimelineEntry]:
        """Apply one change in one transaction, with what Slack must show of it (outbox rows);
        the delivery worker posts it and refreshes card and topic. `declarer`: the change
        comes with the declaration itself (the modal's details), before the invitation.
        `trigger`: what the workflow trigger this change fires carries besides the change."""
        if not declarer:
            # Typing or clicking proves nothing: Slack must say `user` is in the channel.
            self.members.require(channel_id, user, usage)
        with self.db.unit_of_work() as session:
            incident = incidents.require_for_channel(session, channel_id, usage)
            entry = apply(session, incident, self.now())
            if is_resolution(entry):
                guided.refuse_unready_resolution(incident, self.playbook)
                announcements.record(session, incident, "resolved", user, self.now())
                status_page.resolve(session, incident, now=self.now())  # when it is public
            guided.record_change_trigger(session, incident, entry, **(trigger or {}))
            session.flush()
            session.refresh(incident)
            echo = publishing.record(session, incident, entry, self.now(), self.echo)
            told = subscriptions.record(session, incident, entry, self.now())
        self.deliver(incident, echo, user, *told)
        return incident, entry

    def refresh_card(self, incident: Incident) -> None:
        """Redraw the pinned card from the incident as stored (queued, sent by the worker)."""
        with self.db.unit_of_work() as session:
            publishing.record_card(session, incident, self.now())
        if self.deps.delivery is not None:
            self.deps.delivery.kick(incident.channel_id)

    def record_change(self, session: Session, incident: Incident, entry: TimelineEntry) -> int:
        """Queue what Slack shows of a change made in `session` (for use cases of other
        domains, in their own transaction); returns the echo's outbox row id."""
        return publishing.record(session, incident, entry, self.now(), self.echo)

    def deliver(self, incident: Incident, echo: int, user: str | None, *lanes: str) -> None:
        """After the commit: send it now if Slack's limits allow (and what it queued for
        other `lanes`); tell the person who made the change if Slack is slow to show it."""
        delivery = self.deps.delivery
        if delivery is None:
            return
        delivery.kick(
            incident.channel_id, incident.announce_channel, guided.lane(incident.id), *lanes
        )
        if user and incident.channel_id:
            channel = incident.channel_id
            delivery.watch([echo], SLOW_NOTICE, lambda code: self._not_shown(channel, user, code))

    def _not_shown(self, channel: str, user: str, refused: str | None) -> None:
        """Tell the person their change is recorded, and why it is not in the channel yet."""
        line = SLOW_LINE
        if refused:
            line = f"Recorded on the timeline, but Slack refused to show it: {hint(refused)}."
        try:
            self.slack.ephemeral(channel, user, line)
        except SlackFailure:
            try:
                self.slack.dm(user, line)
            except SlackFailure:
                log.info("could not tell %s how their change fared", user)

    def publish_change(self, incident: Incident, entry: TimelineEntry) -> None:
        """Queue and send what Slack shows of a change already committed."""
        with self.db.unit_of_work() as session:
            stored = session.get(Incident, incident.id)
            assert stored is not None
            echo = publishing.record(session, stored, entry, self.now(), self.echo)
        self.deliver(incident, echo, None)


def refuse_if_blank(text: str, usage: str) -> str:
    """The text stripped, or one line naming the right form when nothing was typed."""
    if not text.strip():
        raise IncidentError(f"Missing text. Use: `{usage}`")
    return text.strip()
