"""Who may change an incident from Slack: the members of its channel, kept in sync."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Forbidden, IncidentError, SlackFailure
from bot.incidents import lifecycle as incidents
from bot.incidents.service import IncidentService
from bot.models import Incident

log = logging.getLogger(__name__)


class Membership:
    """Incident.members follows the channel; strangers are checked with conversations.members."""

    def __init__(self, service: IncidentService) -> None:
        self.service = service

    def require(self, channel_id: str, user: str, usage: str) -> Incident:
        """The incident of this channel, if `user` is a member of it; else Forbidden."""
        with self.service.db.unit_of_work() as session:
            incident = incidents.for_channel(session, channel_id)
            if incident is None:
                raise IncidentError(
                    f"This only works in an incident channel ({usage}); "
                    "`/incident list` shows open incidents."
                )
            if user in (incident.members or []):
                return incident
        if not self._in_channel(channel_id, user):
            raise Forbidden(
                f"Only members of #{incident.channel_name} can change incident "
                f"{incident.number}: join the channel first."
            )
        return self.joined(channel_id, user) or incident

    def require_incident(self, incident_id: int, user: str, usage: str) -> Incident:
        """As `require`, for an incident known by id (buttons in views, App Home)."""
        with self.service.db.unit_of_work() as session:
            incident = session.get(Incident, incident_id)
            if incident is None:
                raise IncidentError("That incident no longer exists.")
            channel_id = incident.channel_id
        return self.require(channel_id, user, usage)

    def is_member(self, channel_id: str, user: str) -> bool:
        """Known member, or Slack says so (then remembered)."""
        try:
            self.require(channel_id, user, "")
        except SlackFailure:
            raise  # Slack could not say now (transient): neither yes nor no
        except IncidentError:
            return False
        return True

    def _in_channel(self, channel_id: str, user: str) -> bool:
        """Ask Slack whether `user` is in the channel."""
        try:
            return self.service.slack.is_in_channel(channel_id, user)
        except SlackFailure as exc:
            if exc.transient:
                raise  # a person is not refused because Slack had a bad moment
            log.warning("could not list members of %s", channel_id)
            return False

    def joined(self, channel_id: str, user: str) -> Incident | None:
        """member_joined_channel (or a proven member): remember them."""
        with self.service.db.unit_of_work() as session:
            incident = _locked(session, channel_id)
            if incident is not None:
                incidents.add_member(incident, user)
            return incident

    def left(self, channel_id: str, user: str) -> Incident | None:
        """member_left_channel: they may no longer change or see a private incident."""
        with self.service.db.unit_of_work() as session:
            incident = _locked(session, channel_id)
            if incident is not None and user in (incident.members or []):
                incident.members = [m for m in incident.members if m != user]
            return incident


def _locked(session: Session, channel_id: str) -> Incident | None:
    """The channel's incident, row-locked so concurrent joins don't lose a member."""
    return session.scalar(
        select(Incident).where(Incident.channel_id == channel_id).with_for_update()
    )
