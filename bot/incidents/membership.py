"""Who may change (or, when private, see) an incident from Slack: the members of its channel.

Slack is the authority: conversations.members, remembered for a minute (Deps.channel_members).
Incident.members mirrors it for the lists that can't ask Slack about every incident; it is
written only by what Slack says (its answers, member_joined/left_channel) and by the bot's own
invitations, never because someone typed or clicked. When Slack can't answer, the mirror does.
"""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.errors import Forbidden, IncidentError, SlackFailure
from bot.incidents import lifecycle as incidents
from bot.models import Incident
from bot.wiring import Deps

log = logging.getLogger(__name__)


def refusal(incident: Incident, verb: str = "change") -> str:
    """One line for a non-member; a private incident's channel name (its title) is never said."""
    if incident.private:
        return f"Only members of the private channel of incident {incident.number} can {verb} it."
    return (
        f"Only members of #{incident.channel_name} can {verb} incident {incident.number}: "
        "join the channel first."
    )


class Membership:
    """Membership checks against Slack, and the mirror kept in Incident.members."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def require(self, channel_id: str, user: str, usage: str) -> Incident:
        """The incident of this channel, if `user` is in the channel; else Forbidden."""
        incident = self._of_channel(channel_id, usage)
        self.check(incident, user)
        return incident

    def require_visible(self, channel_id: str, user: str, usage: str) -> Incident:
        """The incident of this channel, if `user` may read it (anyone, unless it is private)."""
        incident = self._of_channel(channel_id, usage)
        if incident.private:
            self.check(incident, user, "see")
        return incident

    def require_incident(self, incident_id: int, user: str) -> Incident:
        """As `require`, for an incident known by id (an entry's, an item's)."""
        with self.deps.db.unit_of_work() as session:
            incident = session.get(Incident, incident_id)
        if incident is None:
            raise IncidentError("That incident no longer exists.")
        self.check(incident, user)
        return incident

    def check(self, incident: Incident, user: str, verb: str = "change") -> None:
        """Forbidden unless Slack says `user` is in the incident's channel."""
        if not self.is_member(incident, user):
            raise Forbidden(refusal(incident, verb))

    def is_member(self, incident: Incident, user: str) -> bool:
        """Slack's answer (cached briefly), which the mirror then follows; the mirror's when
        Slack can't say."""
        try:
            present = self.deps.channel_members.is_member(incident.channel_id, user)
        except SlackFailure as exc:
            recorded = user in (incident.members or [])
            if exc.transient and not recorded:
                raise  # Slack could not say now: not a refusal (an event is retried, a person told)
            log.warning("could not list members of %s; using the recorded members", incident.id)
            return recorded
        if present != (user in (incident.members or [])):
            self._mirror(incident.channel_id, user, present)
        return present

    def joined(self, channel_id: str, user: str) -> Incident | None:
        """member_joined_channel: Slack says they are in."""
        self.deps.channel_members.remember(channel_id, user, True)
        return self._mirror(channel_id, user, True)

    def left(self, channel_id: str, user: str) -> Incident | None:
        """member_left_channel: they may no longer change or see a private incident."""
        self.deps.channel_members.remember(channel_id, user, False)
        return self._mirror(channel_id, user, False)

    def _of_channel(self, channel_id: str, usage: str) -> Incident:
        with self.deps.db.unit_of_work() as session:
            incident = incidents.for_channel(session, channel_id)
        if incident is None:
            raise incidents.not_an_incident_channel(usage)
        return incident

    def _mirror(self, channel_id: str, user: str, present: bool) -> Incident | None:
        with self.deps.db.unit_of_work() as session:
            incident = _locked(session, channel_id)
            if incident is None:
                return None
            if present:
                incidents.add_member(incident, user)
            elif user in (incident.members or []):
                incident.members = [m for m in incident.members if m != user]
            return incident


def _locked(session: Session, channel_id: str) -> Incident | None:
    """The channel's incident, row-locked so concurrent joins don't lose a member."""
    return session.scalar(
        select(Incident).where(Incident.channel_id == channel_id).with_for_update()
    )
