"""Stakeholder updates: `/incident update TEXT` or the update modal, and the reminder when
none was posted for a while (INCIDENT_UPDATE_EVERY_*). Use cases take a Session and `now`
and never commit; the service records what Slack shows with them (bot.incidents.publishing):
the update in the incident channel, a reply under the announcement, the announcement edited
in place, the subscribers' DMs."""

from __future__ import annotations

from datetime import datetime, timedelta

from slack_sdk.models.blocks import ActionsBlock, Block, ButtonElement
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import human_duration
from bot.config import parse_duration
from bot.errors import IncidentError
from bot.incidents import announcements, publishing
from bot.incidents.details import set_detail
from bot.incidents.lifecycle import add_entry, change_state
from bot.incidents.messages import PUBLIC_SOURCE
from bot.models import Incident, IncidentUpdate, Outbox, RoleAssignment, TimelineEntry
from bot.outbox.delivery import Moot
from bot.parsing import check_text
from bot.slack import ids
from bot.slack.blocks import clip, section
from bot.update_models import UPDATE_MAX
from bot.wiring import Deps

USAGE = "/incident update [--public] TEXT"
NEXT_MAX = 7 * 24 * 3600  # "next update in": at most a week


def check_update(text: str) -> str:
    """The update's text as stored; one line with the right form when empty or too long."""
    try:
        return check_text(text, "update", UPDATE_MAX)
    except IncidentError as exc:
        raise IncidentError(f"{exc.message} Use: `{USAGE}`") from exc


def check_next(raw: str) -> int:
    """`30m`, `2h`: when the next update is promised, in seconds."""
    try:
        seconds = parse_duration(raw.strip())
    except ValueError:
        seconds = -1
    if not 0 < seconds <= NEXT_MAX:
        raise IncidentError(f"`{raw.strip()}` is not a time from now like 30m, 2h or 1d.")
    return seconds


def record_update(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: str,
    text: str,
    public: bool = False,
    next_in: int | None = None,
) -> TimelineEntry:
    """Record one stakeholder update (`public`: also for the status page) and queue its reply
    under the announcement; `next_in` seconds: when the next one is promised."""
    text = check_update(text)
    entry = add_entry(session, incident, at=now, kind="update", text=text, author=user, now=now)
    if public:
        entry.source = PUBLIC_SOURCE
    session.flush()
    session.add(
        IncidentUpdate(
            incident_id=incident.id,
            at=now,
            author=user,
            text=text,
            public=public,
            next_update_at=now + timedelta(seconds=next_in) if next_in else None,
            entry_id=entry.id,
        )
    )
    kind = "Public update (also on the status page)" if public else "Update"
    line = f":mega: *{kind} on incident {incident.number}* from <@{user}>:\n{clip(text, 2800)}"
    announcements.record_reply(session, incident, f"update:{entry.id}", line, now, loud=False)
    return entry


def record_update_form(
    session: Session,
    incident: Incident,
    *,
    now: datetime,
    user: str,
    text: str,
    status: str | None = None,
    summary: str | None = None,
    impact: str | None = None,
    next_in: int | None = None,
    public: bool = False,
) -> TimelineEntry:
    """The update modal: the status, summary and impact it changed are recorded on the
    timeline and shown on the card and topic; the channel sees one message, the update
    (`public`: the caller also put it on the status page)."""
    changed = False
    if status and status != incident.status:
        change_state(session, incident, now=now, user=user, field="status", value=status)
        changed = True
    for field, value in (("summary", summary), ("impact", impact)):
        if value and value != getattr(incident, field):
            set_detail(session, incident, now=now, user=user, field=field, text=value)
            changed = True
    if changed:
        publishing.record_card(session, incident, now)
        publishing.record_topic(session, incident, now)
    return record_update(
        session, incident, now=now, user=user, text=text, next_in=next_in, public=public
    )


def latest_update(session: Session, incident_id: int) -> IncidentUpdate | None:
    return session.scalar(
        select(IncidentUpdate)
        .where(IncidentUpdate.incident_id == incident_id)
        .order_by(IncidentUpdate.at.desc(), IncidentUpdate.id.desc())
        .limit(1)
    )


def updates_of(session: Session, incident_id: int) -> list[IncidentUpdate]:
    """Every update of an incident, oldest first (the export)."""
    return list(
        session.scalars(
            select(IncidentUpdate)
            .where(IncidentUpdate.incident_id == incident_id)
            .order_by(IncidentUpdate.at, IncidentUpdate.id)
        )
    )


def comms_lead(session: Session, incident: Incident) -> str | None:
    """Who is reminded to post updates: the comms lead, else the commander."""
    comms = session.scalar(
        select(RoleAssignment.user_id).where(
            RoleAssignment.incident_id == incident.id, RoleAssignment.role == "comms"
        )
    )
    return comms or incident.commander


def send_update_reminder(deps: Deps, row: Outbox, now: datetime) -> str:
    """DM a planned update reminder, unless an update came, the incident was resolved, or the
    person to remind changed since it was planned (the outbox sender of kind `update_due`)."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, p["incident"])
        if incident is None or not incident.is_open:
            raise Moot("incident resolved")
        last = latest_update(session, incident.id)
        if (last.id if last else None) != p["last"]:
            raise Moot("an update was posted")
        if comms_lead(session, incident) != p["recipient"]:
            raise Moot("someone else posts the updates now")
        since = last.at if last else incident.declared_at
        text, blocks = reminder(incident, int((now - since).total_seconds()), last is None)
    deps.notifier.dm(p["recipient"], text, blocks)
    return f"update reminder incident {incident.number} to {p['recipient']}"


def reminder(incident: Incident, quiet: int, never: bool) -> tuple[str, list[Block]]:
    """The reminder DM, with an Update button that opens the update modal."""
    what = "no update yet" if never else f"no update for {human_duration(quiet)}"
    text = (
        f":mega: Incident {incident.number} (<#{incident.channel_id}>, "
        f"{incident.severity.upper()}) has had {what}. Stakeholders are waiting: post one "
        f"with `{USAGE}` or the button."
    )
    button = ButtonElement(
        text="Post an update",
        action_id=ids.UPDATE_OPEN,
        value=incident.channel_id or "",
        style="primary",
    )
    return text, [section(text), ActionsBlock(elements=[button])]
