"""Capture with Slack: fetch what was kept, record it once, follow edits and deletions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError

from bot.errors import SlackFailure
from bot.incidents import lifecycle as incidents
from bot.incidents.service import IncidentService
from bot.models import Incident
from bot.timeline import capture

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Captured:
    """What happened to a request to keep a message, and a line fit for the person."""

    outcome: str  # added, already, restored, not_incident, forbidden, unreadable, bot_message, …
    incident_number: int | None = None
    permalink: str | None = None

    def line(self) -> str:
        number = self.incident_number
        return {
            "added": f":pushpin: Added to the timeline of incident {number}.",
            "already": f"That message is already on the timeline of incident {number}.",
            "restored": f":pushpin: Put back on the timeline of incident {number}.",
            "not_incident": "Only messages in an incident channel can go on a timeline.",
            "forbidden": "Only members of the incident channel can add to its timeline: "
            "join the channel first.",
            "unreadable": "I can't read that message (it's gone, or I'm not in the channel: "
            "/invite @incident-bot).",
            "bot_message": "That's incident-bot's own message: it is already on the timeline.",
            "ignored": "Nothing to add.",
        }[self.outcome]


class CaptureService:
    """Reactions, the message shortcut and pins keep messages; edits and deletions follow."""

    def __init__(self, service: IncidentService) -> None:
        self.service = service

    def reaction(self, channel: str, ts: str, user: str, reaction: str, bot_user: str) -> Captured:
        """`reaction_added`: only the configured reaction (any skin tone) keeps a message."""
        wanted = self.service.settings.INCIDENT_TIMELINE_REACTION.strip(":")
        if reaction.split("::")[0] != wanted:
            return Captured("ignored")
        return self.keep(channel, ts, user=user, source="reaction", bot_user=bot_user)

    def keep(
        self,
        channel: str,
        ts: str,
        *,
        user: str,
        source: str,
        bot_user: str | None,
        message: dict[str, Any] | None = None,
        permalink: str | None = None,
    ) -> Captured:
        """Put one message on its incident's timeline, once however many times it's asked."""
        with self.service.db.unit_of_work() as session:
            incident = incidents.for_channel(session, channel)
        if incident is None:
            return Captured("not_incident")
        number = incident.number
        if user == bot_user:
            return Captured("ignored", number)
        if not self.service.members.is_member(incident, user):
            return Captured("forbidden", number)
        if message is None or not message.get("ts"):
            message = capture.fetch_message(self.service.slack, channel, ts)
        kept = capture.kept_message(channel, message) if message else None
        if kept is None:
            return Captured("unreadable", number)
        if self._bot_noise(kept, message or {}, incident, source, bot_user):
            return Captured("bot_message", number)
        return self._record(incident, kept, source=source, by=user, permalink=permalink)

    def _bot_noise(
        self,
        kept: capture.KeptMessage,
        message: dict[str, Any],
        incident: Incident,
        source: str,
        bot_user: str | None,
    ) -> bool:
        """Bots' messages are kept only when a person pins one (never the incident card)."""
        own = bool(bot_user) and (message.get("user") == bot_user or kept.author == bot_user)
        if source == "pin":
            return kept.ts == incident.card_ts
        if source == "shortcut":
            return own  # another bot's alert is worth keeping when someone asks explicitly
        return kept.from_bot or own

    def _record(
        self,
        incident: Incident,
        kept: capture.KeptMessage,
        *,
        source: str,
        by: str,
        permalink: str | None,
    ) -> Captured:
        if self._already(kept):
            return self._again(incident, kept, source, by)
        permalink = permalink or self._permalink(kept)
        try:
            with self.service.db.unit_of_work() as session:
                stored = session.get(Incident, incident.id)
                assert stored is not None
                capture.insert_entry(
                    session,
                    stored,
                    kept,
                    source=source,
                    by=by,
                    permalink=permalink,
                    now=self.service.now(),
                )
        except IntegrityError:
            # Two deliveries raced; the database kept exactly one. Anything else is a bug.
            if not self._already(kept):
                raise
            return self._again(incident, kept, source, by)
        return Captured("added", incident.number, permalink)

    def _again(
        self, incident: Incident, kept: capture.KeptMessage, source: str, by: str
    ) -> Captured:
        """Kept before: the shortcut, an explicit act, puts back an entry someone removed."""
        if source != "shortcut":
            return Captured("already", incident.number)
        with self.service.db.unit_of_work() as session:
            restored = capture.restore(session, kept.channel, kept.ts, by, self.service.now())
        return Captured("restored" if restored else "already", incident.number)

    def _already(self, kept: capture.KeptMessage) -> bool:
        with self.service.db.unit_of_work() as session:
            return bool(capture.captured(session, kept.channel, kept.ts))

    def _permalink(self, kept: capture.KeptMessage) -> str | None:
        try:
            return self.service.slack.permalink(kept.channel, kept.ts)
        except SlackFailure as exc:
            if exc.transient:
                raise  # kept whole on the next try rather than without its link now
            log.info("no permalink for %s in %s", kept.ts, kept.channel)
            return None

    def edited(self, channel: str, message: dict[str, Any]) -> int:
        """`message_changed`: captured entries follow the edit; returns how many changed."""
        with self.service.db.unit_of_work() as session:
            if message.get("subtype") == "tombstone":  # a thread parent deleted under replies
                changed = capture.follow_delete(
                    session, channel, str(message.get("ts")), self.service.now()
                )
            else:
                changed = capture.follow_edit(session, channel, message, self.service.now())
            return len(changed)

    def deleted(self, channel: str, ts: str) -> int:
        """`message_deleted`: captured entries are marked deleted, never dropped."""
        with self.service.db.unit_of_work() as session:
            return len(capture.follow_delete(session, channel, ts, self.service.now()))
