"""Overdue by the owner's calendar: an item due Sunday is overdue on Monday in Tokyo while it is
still Sunday in Los Angeles. The owner's zone is what Slack last told us (table `people`);
owners we never looked up, and items without an owner, use INCIDENT_TIMEZONE."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, case, literal, select
from sqlalchemy.orm import Session

from bot.models import ActionItem, Person
from bot.slack.people import zone_named


@dataclass(frozen=True)
class OwnerToday:
    """Today's date in each open item's owner's zone, in SQL and in Python."""

    fallback: date
    by_zone: dict[str, date]

    def of(self, tz: str | None) -> date:
        return self.by_zone.get(tz or "", self.fallback)

    def column(self) -> Any:
        """The owner's today as a SQL expression; needs `people` outer-joined on the owner.

        At most three distinct dates exist at any moment (zones span UTC−12 to UTC+14), so
        this is a CASE over at most two IN lists, whatever the number of items."""
        groups: dict[date, list[str]] = defaultdict(list)
        for tz, day in self.by_zone.items():
            if day != self.fallback:
                groups[day].append(tz)
        if not groups:
            return literal(self.fallback, Date)
        whens = [(Person.tz.in_(sorted(tzs)), literal(day, Date)) for day, tzs in groups.items()]
        return case(*whens, else_=literal(self.fallback, Date))


def owner_today(session: Session, now: datetime, fallback: ZoneInfo) -> OwnerToday:
    """Today in every zone that owns an open item (one small query)."""
    zones = session.scalars(
        select(Person.tz)
        .distinct()
        .join(ActionItem, ActionItem.owner == Person.id)
        .where(ActionItem.status == "open", Person.tz.is_not(None))
    ).all()
    by_zone = {}
    for name in zones:
        zone = zone_named(name)
        if zone is not None:
            by_zone[name] = now.astimezone(zone).date()
    return OwnerToday(now.astimezone(fallback).date(), by_zone)
