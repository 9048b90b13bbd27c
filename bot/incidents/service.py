"""Application services: one unit of work per request, then Slack calls from what was committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from bot.comms import subscriptions
from bot.errors import IncidentError, SlackFailure
from bot.incidents import announcements, messages
from bot.incidents import lifecycle as incidents
from bot.incidents.membership import Membership
from bot.incidents.rules import channel_name
from bot.models import TITLE_MAX, Incident, TimelineEntry
from bot.parsing import check_text, parse_time
from bot.wiring import Deps

log = logging.getLogger(__name__)
NAME_ATTEMPTS = 5
CARD_KINDS = ("severity", "status", "role", "milestone")  # what the card shows


class IncidentService:
    """Orchestrates use cases with Slack: database first, then Slack, never half-applied."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.db = deps.db
        self.slack = deps.notifier
        self.members = Membership(deps)

    def now(self) -> datetime:
        """The one clock, as the service reads it."""
        return self.deps.clock()

    def parse_at(self, raw: str | None) -> datetime:
        """When something happened: what the person typed, or now when they typed nothing."""
        now = self.now()
        return now if raw is None else parse_time(raw, now, self.settings.zone)

    # --- declare -----------------------------------------------------------------------
    def declare(
        self, *, user: str, title: str, severity: str, private: bool
    ) -> tuple[Incident, list[str]]:
        """Create the channel, record the incident, then invite, pin the card, announce."""
        check_text(title, "title", TITLE_MAX)  # refuse before touching Slack
        with self.db.unit_of_work() as session:
            number = incidents.claim_number(session)
        channel = self._create_channel(number, title, private)
        try:
            with self.db.unit_of_work() as session:
                incident = incidents.declare(
                    session,
                    now=self.now(),
                    number=number,
                    title=title,
                    severity=severity,
                    private=private,
                    channel_id=channel["id"],
                    channel_name=channel["name"],
                    declared_by=user,
                )
                incident.announce_channel = self.settings.INCIDENT_ANNOUNCE_CHANNEL
                announcements.record(session, incident, "declared", user, self.now())
        except Exception:
            self._discard_channel(channel["id"])
            raise
        return incident, self._furnish(incident, user)

    def _create_channel(self, number: int, title: str, private: bool) -> dict[str, str]:
        for attempt in range(NAME_ATTEMPTS):
            name = channel_name(self.settings.INCIDENT_CHANNEL_PREFIX, number, title, attempt)
            try:
                return self.slack.create_channel(name, private=private)
            except SlackFailure as exc:
                if exc.code != "name_taken":
                    raise SlackFailure(
                        f"Couldn't create the incident channel: {exc.message} "
                        "Nothing was recorded; try `/incident declare` again."
                    ) from exc
        raise SlackFailure(
            f"Couldn't create the incident channel: {NAME_ATTEMPTS} names like #{name} are "
            "taken. Nothing was recorded; declare again with a different title."
        )

    def _discard_channel(self, channel_id: str) -> None:
        try:
            self.slack.archive(channel_id)
        except SlackFailure:
            log.exception("could not archive orphan channel %s", channel_id)

    def _furnish(self, incident: Incident, user: str) -> list[str]:
        """Invite, post and pin the card, announce; returns what failed (reported, not fatal)."""
        problems: list[str] = []
        try:
            self.slack.invite(incident.channel_id, [user])
        except SlackFailure as exc:
            problems.append(exc.message)
        zone = self.settings.zone
        card_ts = None
        try:
            card_ts = self.slack.post(
                incident.channel_id,
                messages.card_text(incident),
                messages.incident_card(incident, zone),
            )
            self.slack.pin(incident.channel_id, card_ts)
        except SlackFailure as exc:
            problems.append(f"The incident card: {exc.message}")
        if card_ts is not None:
            self._bookmark_card(incident, card_ts)
        with self.db.unit_of_work() as session:
            stored = session.get(Incident, incident.id)
            assert stored is not None
            stored.card_ts = card_ts
        incident.card_ts = card_ts
        problem = announcements.send_now(self.deps, incident, "declared")
        if problem:
            problems.append(problem)
        self._topic(incident)
        if problems:
            try:
                self.slack.post(incident.channel_id, ":warning: " + " ".join(problems))
            except SlackFailure:
                log.warning("could not tell #%s what failed", incident.channel_name)
        return problems

    def _bookmark_card(self, incident: Incident, card_ts: str) -> None:
        """The incident card in the channel header: one click from anywhere in the channel."""
        try:
            link = self.slack.permalink(incident.channel_id, card_ts)
            self.slack.bookmark(incident.channel_id, f"Incident {incident.number} card", link)
        except SlackFailure:
            log.warning("could not bookmark the card of incident %s", incident.number)

    def _topic(self, incident: Incident) -> None:
        who = f"IC <@{incident.commander}>" if incident.commander else "no IC"
        try:
            self.slack.set_topic(
                incident.channel_id, f"{incident.severity.upper()} · {incident.status} · {who}"
            )
        except SlackFailure:
            log.warning("could not set topic of %s", incident.channel_id)

    # --- changes in an incident channel --------------------------------------------------
    def change(
        self,
        channel_id: str,
        user: str,
        usage: str,
        apply: Callable[[Session, Incident, datetime], TimelineEntry],
    ) -> tuple[Incident, TimelineEntry]:
        """Apply one change in one transaction, then post it and refresh the card."""
        # Typing or clicking proves nothing: Slack must say `user` is in the channel.
        self.members.require(channel_id, user, usage)
        with self.db.unit_of_work() as session:
            incident = incidents.require_for_channel(session, channel_id, usage)
            entry = apply(session, incident, self.now())
            if is_resolution(entry):
                announcements.record(session, incident, "resolved", user, self.now())
            session.flush()
            session.refresh(incident)
        try:
            self.publish_change(incident, entry)
        except SlackFailure as exc:
            # The change is committed; say so, so nobody types it twice.
            raise SlackFailure(f"Recorded on the timeline, but not posted: {exc.message}") from exc
        finally:
            subscriptions.tell(self.deps, incident, entry)  # severity and resolution only
        return incident, entry

    def publish_change(self, incident: Incident, entry: TimelineEntry) -> None:
        """Post a recorded change in the channel; refresh card and topic when they show it."""
        zone = self.settings.zone
        text, body = messages.change_post(entry, zone)
        self.slack.post(incident.channel_id, text, body)
        if entry.kind in CARD_KINDS:
            self.refresh_card(incident)
            self._topic(incident)
        if is_resolution(entry):
            self._announce_resolution(incident)

    def refresh_card(self, incident: Incident) -> None:
        """Redraw the pinned card from the incident as stored."""
        if not incident.card_ts:
            return
        zone = self.settings.zone
        try:
            self.slack.update(
                incident.channel_id,
                incident.card_ts,
                messages.card_text(incident),
                messages.incident_card(incident, zone),
            )
        except SlackFailure:
            log.warning("could not refresh the card of incident %s", incident.number)

    def _announce_resolution(self, incident: Incident) -> None:
        text, body = messages.resolved_post(incident)
        self.slack.post(incident.channel_id, text, body)
        problem = announcements.send_now(self.deps, incident, "resolved")
        if problem:
            log.warning("incident %s: %s", incident.number, problem)


def is_resolution(entry: TimelineEntry) -> bool:
    """The entry that closed the incident (its `resolved` milestone)."""
    return entry.kind == "milestone" and entry.text == incidents.milestone_text("resolved")


def refuse_if_blank(text: str, usage: str) -> str:
    """The text stripped, or one line naming the right form when nothing was typed."""
    if not text.strip():
        raise IncidentError(f"Missing text. Use: `{usage}`")
    return text.strip()
