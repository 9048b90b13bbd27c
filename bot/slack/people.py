"""Who people are, as Slack says (`users.info`): their time zone and name.

Looked up when someone types a time or a due date, is made an action item's owner, or is
named in a postmortem. Answers are kept in memory for `TTL`: a person's zone changes only when
they travel or edit their profile, so a few minutes' delay in noticing is harmless, while a
burst of commands during an incident costs one `users.info` call per person instead of one
per command (Tier 4 allows about 100 a minute). Each process keeps its own cache; the table
`people` keeps the last answer for code that must not call Slack (reminder planning, the
digest, `incident-bot export`), written by the use cases that need it, in their own
transaction.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from bot.errors import SlackFailure
from bot.models import Person as PersonRow
from bot.slack.port import Notifier

log = logging.getLogger(__name__)
TTL = timedelta(minutes=5)
CACHE_MAX = 5000  # people; the least recently used are forgotten first


@dataclass(frozen=True)
class Person:
    """One person as users.info described them."""

    id: str
    tz: str | None
    name: str | None

    @property
    def zone(self) -> ZoneInfo | None:
        return zone_named(self.tz)


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA zone of that name, or None (Slack may send none, or one we don't know)."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _from_api(user: dict) -> Person:
    profile = user.get("profile") or {}
    name = (
        profile.get("real_name")
        or user.get("real_name")
        or profile.get("display_name")
        or user.get("name")
    )
    return Person(id=str(user.get("id")), tz=user.get("tz") or None, name=name or None)


class People:
    """users.info with a bounded in-memory cache (`TTL`, at most `CACHE_MAX` people)."""

    def __init__(self, notifier: Notifier, clock: Callable[[], datetime]) -> None:
        self.notifier = notifier
        self.clock = clock
        self._cache: OrderedDict[str, tuple[datetime, Person]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, user: str) -> Person | None:
        """What Slack says about this person, or None when Slack can't say (logged)."""
        try:
            return self.lookup(user)
        except SlackFailure as exc:
            log.info("users.info %s failed: %s", user, exc.code)
            return None

    def lookup(self, user: str) -> Person:
        """What Slack says about this person; SlackFailure when it won't say."""
        now = self.clock()
        with self._lock:
            cached = self._cache.get(user)
            if cached is not None and now - cached[0] < TTL:
                self._cache.move_to_end(user)
                return cached[1]
        answer = self.notifier.call("users.info", user=user).get("user")
        if not isinstance(answer, dict):
            raise SlackFailure("Slack answered users.info without a user.", "no_user")
        person = _from_api(answer)
        with self._lock:
            self._cache[user] = (now, person)
            self._cache.move_to_end(user)
            while len(self._cache) > CACHE_MAX:
                self._cache.popitem(last=False)
        return person

    def zone(self, user: str, fallback: ZoneInfo) -> ZoneInfo:
        """The person's own zone, or `fallback` (INCIDENT_TIMEZONE) when Slack has none."""
        person = self.get(user)
        return (person.zone if person else None) or fallback

    def names(self, users: Iterable[str]) -> dict[str, str]:
        """Display names of these people, for documents where Slack renders no mention."""
        found: dict[str, str] = {}
        for user in dict.fromkeys(users):
            person = self.get(user)
            if person is not None and person.name:
                found[user] = person.name
        return found


def remember(session: Session, people: Iterable[Person], now: datetime) -> None:
    """Keep what Slack said about these people (one row each, the latest answer wins)."""
    rows = [
        {"id": p.id, "tz": p.tz, "name": (p.name or "")[:120] or None, "checked_at": now}
        for p in sorted({p.id: p for p in people}.values(), key=lambda p: p.id)
    ]  # sorted: two writers upserting the same people lock rows in one order
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(PersonRow).values(rows)
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[PersonRow.id],
            set_={
                "tz": statement.excluded.tz,
                "name": statement.excluded.name,
                "checked_at": statement.excluded.checked_at,
            },
        )
    )


def known(session: Session, users: Iterable[str]) -> dict[str, Person]:
    """What Slack last said about these people, as stored (no Slack call)."""
    ids = list(dict.fromkeys(u for u in users if u))
    if not ids:
        return {}
    rows = session.execute(
        select(PersonRow.id, PersonRow.tz, PersonRow.name).where(PersonRow.id.in_(ids))
    )
    return {r.id: Person(r.id, r.tz, r.name) for r in rows}
