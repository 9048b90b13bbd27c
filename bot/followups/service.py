"""Action items with Slack: one unit of work per change, then the change posted in the channel."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.errors import IncidentError, SlackFailure
from bot.followups.items import (
    add_action_item,
    close_action_item,
    no_such_item,
    reassign_action_item,
    redate_action_item,
    snooze_action_item,
)
from bot.incidents.service import IncidentService
from bot.models import ActionItem, Incident, TimelineEntry
from bot.slack.people import Person, remember

log = logging.getLogger(__name__)
ItemChange = Callable[[Session, datetime], tuple[ActionItem, TimelineEntry | None]]


class FollowupService:
    """Action items with Slack: one unit of work, then the change is posted in the channel."""

    def __init__(self, service: IncidentService) -> None:
        self.service = service
        self.db = service.db

    def add(
        self,
        channel: str,
        user: str,
        *,
        text: str,
        owner: str | None = None,
        due: date | None = None,
        priority: str | None = None,
        type_: str | None = None,
        usage: str = "/incident action TEXT [@owner] [due DATE]",
    ) -> ActionItem:
        """Add an item to the incident of this channel (its members may add)."""
        item_box: list[ActionItem] = []
        person = self.check_owner(owner) if owner else None

        def apply(session: Session, incident: Incident, now: datetime) -> TimelineEntry:
            if person is not None:
                remember(session, [person], now)  # reminders go out in the owner's zone
            item, entry = add_action_item(
                session,
                incident,
                now=now,
                user=user,
                text=text,
                owner=owner,
                due=due,
                priority=priority,
                type_=type_,
            )
            item_box.append(item)
            return entry

        self.service.change(channel, user, usage, apply)
        return item_box[0]

    def apply(self, user: str, item_id: int, change: ItemChange) -> ActionItem:
        """Run one change to an existing item, then post it where its incident lives."""
        self._require_visible(user, item_id)
        now = self.service.now()
        echo = None
        with self.db.unit_of_work() as session:
            item, entry = change(session, now)
            incident = item.incident
            if entry is not None and incident is not None:
                session.flush()
                session.refresh(incident)
                # Posted from the record; an archived channel only fails that post.
                echo = self.service.record_change(session, incident, entry)
        if echo is not None and incident is not None:
            self.service.deliver(incident, echo, None)
        return item

    def _require_visible(self, user: str, item_id: int) -> None:
        """A private incident's item: Slack must say `user` is in its channel (the mirror that
        the use case checks then agrees), unless the item is theirs. The id may be forged."""
        with self.db.unit_of_work() as session:
            item = session.get(ActionItem, item_id)
            incident = item.incident if item is not None else None
            guarded = incident is not None and incident.private and item.owner != user
        if guarded and not self.service.members.is_member(incident, user):
            raise no_such_item(item_id)

    def close(self, user: str, item_id: int) -> ActionItem:
        return self.apply(
            user, item_id, lambda s, now: close_action_item(s, item_id, now=now, user=user)
        )

    def reassign(self, user: str, item_id: int, owner: str) -> ActionItem:
        person = self.check_owner(owner)

        def change(session: Session, now: datetime) -> tuple[ActionItem, TimelineEntry | None]:
            if person is not None:
                remember(session, [person], now)  # reminders go out in the owner's zone
            return reassign_action_item(session, item_id, now=now, user=user, owner=owner)

        return self.apply(user, item_id, change)

    def redate(self, user: str, item_id: int, due: date) -> ActionItem:
        zone = self.service.zone_of(user)  # "not in the past" by the picker's own calendar
        return self.apply(
            user,
            item_id,
            lambda s, now: redate_action_item(s, item_id, now=now, user=user, due=due, zone=zone),
        )

    def snooze(self, user: str, item_id: int) -> ActionItem:
        zone = self.service.zone_of(user)
        return self.apply(
            user,
            item_id,
            lambda s, now: snooze_action_item(s, item_id, now=now, user=user, zone=zone),
        )

    def check_owner(self, owner: str) -> Person | None:
        """Refuse an owner Slack doesn't know; other lookup failures don't block the command
        (the owner's zone is then INCIDENT_TIMEZONE until they are looked up again)."""
        try:
            return self.service.deps.people.lookup(owner)
        except SlackFailure as exc:
            if exc.code in ("user_not_found", "user_not_visible"):
                raise IncidentError(
                    f"Slack doesn't know <@{owner}>: pick the owner from the @ menu."
                ) from None
            log.info("could not look up %s: %s", owner, exc.message)
            return None
