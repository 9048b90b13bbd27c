"""Public updates typed in Slack: the first one is confirmed in a modal, later ones post at
once; each is recorded, echoed in the incident channel, and on the status page."""

from __future__ import annotations

from slack_sdk.models.views import View

from bot.errors import IncidentError
from bot.incidents import lifecycle
from bot.incidents.service import IncidentService
from bot.models import Incident
from bot.statuspage import publishing
from bot.statuspage.components import catalogue
from bot.statuspage.modals import confirmation_modal
from bot.statuspage.publishing import Affected
from bot.statuspage.rules import check_public_text

USAGE = "/incident update --public TEXT"


class PublicUpdates:
    """The status page's side of `/incident update --public`."""

    def __init__(self, incidents: IncidentService) -> None:
        self.incidents = incidents

    def submit(self, channel: str, user: str, text: str) -> View | None:
        """The confirmation modal for an incident's first public update; a later one is
        published at once (None)."""
        if not self.incidents.settings.INCIDENT_STATUS_PAGE:
            raise IncidentError(
                "There is no status page here (INCIDENT_STATUS_PAGE is off): nothing was "
                "published. `/incident update TEXT` posts a stakeholder update."
            )
        text = check_public_text(text)
        self.incidents.members.require(channel, user, USAGE)
        with self.incidents.db.unit_of_work() as session:
            incident = lifecycle.require_for_channel(session, channel, USAGE)
            publishing.refuse_private(incident)
            first = publishing.public_side(session, incident) is None
        if first:
            return confirmation_modal(channel, text, catalogue(self.incidents.settings))
        self.incidents.change(
            channel,
            user,
            USAGE,
            lambda s, i, now: publishing.publish(s, i, now=now, user=user, text=text),
        )
        return None

    def confirm(
        self, channel: str, user: str, *, title: str, affected: list[Affected], text: str
    ) -> None:
        """The confirmed first public update: public title, components, text."""
        known = catalogue(self.incidents.settings).names()
        self.incidents.change(
            channel,
            user,
            USAGE,
            lambda s, i, now: publishing.open_public(
                s, i, now=now, user=user, title=title, affected=affected, text=text, known=known
            ),
        )

    def offer(self, incident: Incident) -> str | None:
        """What the update modal offers for the status page (see publishing.offer)."""
        enabled = self.incidents.settings.INCIDENT_STATUS_PAGE
        with self.incidents.db.unit_of_work() as session:
            return publishing.offer(session, incident, enabled)
