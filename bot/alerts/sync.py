"""Bringing Slack up to the record: triage messages, auto-declared incidents, summaries.

Each group and each summary has a version (bumped by every change) and the version Slack
shows. A sync claims the row (one conditional UPDATE, so replicas never both post), renders
the record as it is now and marks that version shown; changes that arrived meanwhile leave
it dirty for the next round. A failed sync gives the claim back at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from bot.alerts import messages
from bot.alerts.declaring import auto_declare
from bot.alerts.intake import transaction
from bot.alerts.views import group_view, incident_groups
from bot.errors import SlackFailure
from bot.models import AlertGroup, AlertSummary, Incident
from bot.wiring import Deps

log = logging.getLogger(__name__)
CLAIM_TIMEOUT = timedelta(minutes=2)
GIVE_UP = frozenset({"channel_not_found", "not_in_channel", "is_archived", "missing_scope"})
Pace = Callable[[str, str | None], None]  # wait until this Slack method may be called


class NotYet(Exception):
    """Slack is not ready for this message yet (the incident's card is not posted): try again
    in `seconds`."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"not yet: again in {seconds}s")
        self.seconds = seconds


@dataclass(frozen=True)
class Outcome:
    """What a sync did: `retry_after` seconds when Slack asked to wait (or failed)."""

    done: bool
    retry_after: float | None = None
    dirty: bool = False  # changed again while we were sending: sync again later


def _claim(session: Session, table: Any, row_id: int, worker: str, now: datetime) -> int | None:
    stale = now - CLAIM_TIMEOUT
    return session.execute(
        update(table)
        .where(
            table.c.id == row_id,
            table.c.needs_sync.is_(True),
            or_(table.c.sync_claimed_at.is_(None), table.c.sync_claimed_at < stale),
        )
        .values(sync_claimed_at=now, sync_claimed_by=worker)
        .returning(table.c.version)
    ).scalar_one_or_none()


def _finish(
    session: Session,
    table: Any,
    row_id: int,
    worker: str,
    version: int | None,
    error: str | None,
    retry_at: datetime | None,
) -> bool:
    """Release the claim; with a version, mark it shown. True if newer changes are waiting."""
    values: dict[str, Any] = {"sync_claimed_at": None, "sync_claimed_by": None}
    if version is not None:
        values.update(synced_version=version, sync_error=error)
    if retry_at is not None:
        values.update(sync_due_at=retry_at)
    session.execute(
        update(table)
        .where(table.c.id == row_id, table.c.sync_claimed_by == worker)
        .values(**values)
    )
    if version is not None:
        session.execute(
            update(table)
            .where(table.c.id == row_id, table.c.version <= version)
            .values(needs_sync=False)
        )
    return bool(session.scalar(select(table.c.needs_sync).where(table.c.id == row_id)))


class Syncer:
    """Does the Slack side of one group or summary at a time (see the module docstring)."""

    def __init__(self, deps: Deps, worker: str, pace: Pace) -> None:
        self.deps = deps
        self.worker = worker
        self.pace = pace
        self.zone = deps.settings.zone

    def _run(self, table: Any, row_id: int, send: Callable[[int], str | None]) -> Outcome:
        now = self.deps.clock()
        with transaction(self.deps.db) as session:
            version = _claim(session, table, row_id, self.worker, now)
        if version is None:
            return Outcome(done=False)
        shown: int | None = None
        error: str | None = None
        retry: float | None = None
        try:
            error = send(row_id)
            shown = version
        except NotYet as exc:
            retry = exc.seconds
        except SlackFailure as exc:
            if exc.code in GIVE_UP:
                shown, error = version, exc.code  # until the next change, nothing to retry
                log.warning("alert sync %s %s: %s", table.name, row_id, exc.code)
            else:
                retry = float(exc.retry_after or 30)
        except Exception:
            log.exception("alert sync %s %s failed", table.name, row_id)
            retry = 30.0
        with transaction(self.deps.db) as session:
            retry_at = now + timedelta(seconds=retry) if retry is not None else None
            dirty = _finish(session, table, row_id, self.worker, shown, error, retry_at)
        return Outcome(done=shown is not None, retry_after=retry, dirty=dirty and retry is None)

    def group(self, group_id: int) -> Outcome:
        return self._run(AlertGroup.__table__, group_id, self._send_group)

    def summary(self, summary_id: int) -> Outcome:
        return self._run(AlertSummary.__table__, summary_id, self._send_summary)

    def _send_group(self, group_id: int) -> str | None:
        with transaction(self.deps.db) as session:
            group = session.get(AlertGroup, group_id)
            if group is None:
                return None
            declare = group.action == "declare" and group.incident_id is None
        if declare:
            auto_declare(self.deps, group_id)
        with transaction(self.deps.db) as session:
            group = session.get(AlertGroup, group_id)
            if group is None or (group.action != "triage" and group.message_ts is None):
                return None
            channel = group.message_channel or group.channel
            text, blocks = messages.triage_message(group_view(session, group), self.zone)
            ts = group.message_ts
        if not channel:
            log.warning("alert group %s: no triage channel (set INCIDENT_ALERT_CHANNEL)", group_id)
            return "no triage channel: set INCIDENT_ALERT_CHANNEL"
        if ts is not None:
            try:
                self.pace("chat.update", None)
                self.deps.notifier.update(channel, ts, text, blocks)
                return None
            except SlackFailure as exc:
                if exc.code != "message_not_found":
                    raise
        self.pace("chat.postMessage", channel)
        posted = self.deps.notifier.call(
            "chat.postMessage", channel=channel, text=text, blocks=blocks, unfurl_links=False
        )
        with transaction(self.deps.db) as session:
            session.execute(
                update(AlertGroup)
                .where(AlertGroup.id == group_id)
                .values(message_channel=posted["channel"], message_ts=posted["ts"])
            )
        return None

    def _send_summary(self, summary_id: int) -> str | None:
        with transaction(self.deps.db) as session:
            summary = session.get(AlertSummary, summary_id)
            incident = session.get(Incident, summary.incident_id) if summary else None
            if summary is None or incident is None:
                return None
            text, blocks = messages.summary_message(
                incident.number, incident_groups(session, incident.id), self.zone
            )
            channel, thread, ts = incident.channel_id, incident.card_ts, summary.message_ts
            notice = summary.notice_due and incident.is_open
            number = incident.number
        if ts is None:
            if thread is None:  # threaded under the card, which its declaration posts first
                raise NotYet(2.0)
            self.pace("chat.postMessage", channel)
            ts = self.deps.notifier.post(channel, text, blocks, thread_ts=thread)
            self._store(summary_id, message_ts=ts)
        else:
            self.pace("chat.update", None)
            self.deps.notifier.update(channel, ts, text, blocks)
        if notice:
            self.pace("chat.postMessage", channel)
            notice_text, notice_blocks = messages.resolved_notice(number)
            self.deps.notifier.post(channel, notice_text, notice_blocks)
            self._store(summary_id, notice_due=False, notices_sent=AlertSummary.notices_sent + 1)
        return None

    def _store(self, summary_id: int, **values: Any) -> None:
        with transaction(self.deps.db) as session:
            session.execute(
                update(AlertSummary).where(AlertSummary.id == summary_id).values(**values)
            )


def pending(session: Session, now: datetime, limit: int = 500) -> list[tuple[str, int]]:
    """Groups and summaries Slack is behind on and nobody (alive) is working on."""
    stale = now - CLAIM_TIMEOUT
    out: list[tuple[str, int]] = []
    for kind, model in (("group", AlertGroup), ("summary", AlertSummary)):
        ready = and_(
            model.needs_sync.is_(True),
            model.sync_due_at <= now,
            or_(model.sync_claimed_at.is_(None), model.sync_claimed_at < stale),
        )
        out += [(kind, i) for i in session.scalars(select(model.id).where(ready).limit(limit))]
    return out


def summary_of(deps: Deps, group_id: int) -> int | None:
    """The summary of the incident this group feeds, when it needs redrawing."""
    with transaction(deps.db) as session:
        return session.scalar(
            select(AlertSummary.id)
            .join(AlertGroup, AlertGroup.incident_id == AlertSummary.incident_id)
            .where(AlertGroup.id == group_id, AlertSummary.needs_sync.is_(True))
        )
