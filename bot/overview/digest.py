"""The weekly digest: what is open, what closed, which incidents came and went.

The report is read from the database with column queries (fast over 100,000 items); it is
rendered (bot.overview.digest_delivery) when the digest is planned.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from bot.clock import iso_week
from bot.followups.overdue import OwnerToday, owner_today
from bot.incidents.lifecycle import incident_durations
from bot.models import ActionItem, Incident, Person

WEEK = timedelta(days=7)
# More lines than fit in DIGEST_MESSAGES_MAX messages are counted, not listed (and not loaded).
ITEMS_MAX = 5000


@dataclass(frozen=True)
class ItemRow:
    id: int
    text: str
    owner: str | None
    due: date | None
    priority: str
    incident_number: int | None
    incident_title: str | None
    private: bool
    closed_at: datetime | None = None
    today: date | None = None  # the owner's today, for "overdue" and "due tomorrow"


@dataclass(frozen=True)
class IncidentRow:
    number: int
    title: str
    severity: str
    private: bool
    declared_at: datetime
    resolved_at: datetime | None
    time_to_resolve: int | None
    summary: str | None = None
    impact: str | None = None


@dataclass
class DigestReport:
    """One week, ending at the scheduled moment; open items as of now."""

    week: str
    week_start: datetime
    week_end: datetime
    today: date
    zone: ZoneInfo
    open_items: list[ItemRow] = field(default_factory=list)
    closed_items: list[ItemRow] = field(default_factory=list)
    declared: list[IncidentRow] = field(default_factory=list)
    resolved: list[IncidentRow] = field(default_factory=list)
    open_total: int = 0
    overdue_total: int = 0
    closed_total: int = 0

    @property
    def not_listed(self) -> int:
        """Items counted in the totals but beyond what the report loaded."""
        return self.open_total - len(self.open_items) + self.closed_total - len(self.closed_items)

    def is_overdue(self, item: ItemRow) -> bool:
        """Overdue by the owner's calendar (bot.followups.overdue)."""
        return item.due is not None and item.due < (item.today or self.today)


def _item_columns() -> tuple[Any, ...]:
    return (
        ActionItem.id,
        ActionItem.text,
        ActionItem.owner,
        ActionItem.due,
        ActionItem.priority,
        Incident.number,
        Incident.title,
        Incident.private,
        ActionItem.closed_at,
        Person.tz,
    )


def build_report(
    session: Session, zone: ZoneInfo, *, now: datetime, week_end: datetime
) -> DigestReport:
    """Read the week ending at `week_end` (and what is open at `now`)."""
    start = week_end - WEEK
    report = DigestReport(
        week=iso_week(week_end, zone),
        week_start=start,
        week_end=week_end,
        today=now.astimezone(zone).date(),
        zone=zone,
    )
    today = owner_today(session, now, zone)
    base = (
        select(*_item_columns())
        .outerjoin(Incident, ActionItem.incident_id == Incident.id)
        .outerjoin(Person, ActionItem.owner == Person.id)
    )
    is_overdue = ActionItem.due < today.column()
    report.open_total, report.overdue_total = session.execute(
        select(func.count(), func.count(case((is_overdue, 1))))
        .select_from(ActionItem)
        .outerjoin(Person, ActionItem.owner == Person.id)
        .where(ActionItem.status == "open")
    ).one()
    open_items = (
        base.where(ActionItem.status == "open")
        .order_by(
            case((is_overdue, 0), else_=1),
            ActionItem.owner.is_(None),
            ActionItem.owner,
            Incident.number,
            ActionItem.due.is_(None),
            ActionItem.due,
            ActionItem.id,
        )
        .limit(ITEMS_MAX)
    )
    report.open_items = [_item(r, today) for r in session.execute(open_items)]
    closed_in_week = (ActionItem.closed_at >= start, ActionItem.closed_at < now)
    report.closed_total = session.scalar(select(func.count()).where(*closed_in_week)) or 0
    closed = base.where(*closed_in_week).order_by(ActionItem.closed_at).limit(ITEMS_MAX)
    report.closed_items = [_item(r, today) for r in session.execute(closed)]
    report.declared = _incidents(
        session, Incident.declared_at >= start, Incident.declared_at < week_end
    )
    report.resolved = _incidents(
        session, Incident.resolved_at >= start, Incident.resolved_at < week_end
    )
    return report


def _item(row: Any, today: OwnerToday) -> ItemRow:
    return ItemRow(
        id=row[0],
        text=row[1],
        owner=row[2],
        due=row[3],
        priority=row[4],
        incident_number=row[5],
        incident_title=row[6],
        private=bool(row[7]),
        closed_at=row[8],
        today=today.of(row[9]),
    )


def _incidents(session: Session, *where: Any) -> list[IncidentRow]:
    rows = session.scalars(select(Incident).where(*where).order_by(Incident.declared_at)).all()
    return [
        IncidentRow(
            number=i.number,
            title=i.title,
            severity=i.severity,
            private=i.private,
            declared_at=i.declared_at,
            resolved_at=i.resolved_at,
            time_to_resolve=incident_durations(i)["time_to_resolve"],
            summary=i.summary,
            impact=i.impact,
        )
        for i in rows
    ]
