"""Applying stored notifications to their groups and alerts (use case: Session, never commits).

Unique keys decide, not timing: the group's (source, key) gives one group however many
notifications race to create it; an alert's state only moves forward in time, so a late
resend of an older state is ignored. Slack is not touched here: the group is marked as
needing a sync, and the Slack work is done afterwards from what was recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from bot.alerts.incident_feed import feed_incident
from bot.alerts.payloads import AlertState, Notification
from bot.alerts.rules import Route
from bot.alerts.statements import statements
from bot.alerts.wording import Transition


@dataclass(frozen=True)
class Recorded:
    """What one notification did to its group."""

    group_id: int
    created: bool = False
    changed: int = 0
    transitions: list[Transition] = field(default_factory=list)
    incident_id: int | None = None


def _new_group(note: Notification, route: Route, now: datetime) -> dict[str, Any]:
    starts = min((a.starts_at for a in note.alerts), default=now)
    return {
        "source": note.source,
        "key_hash": note.key_hash,
        "group_key": note.group_key,
        "title": note.title,
        "status": note.status,
        "firing_count": 0,
        "action": route.action,
        "rule": route.rule,
        "channel": route.channel,
        "severity": route.severity,
        "incident_title": route.title or note.title[:200],
        "incident_type": route.incident_type,
        "commander": route.commander,
        "private": route.private,
        "labels": note.labels,
        "links": [list(link) for link in note.links],
        "pager_service": note.pager.service if note.pager else None,
        "pager_urgency": note.pager.urgency if note.pager else None,
        "started_at": min(starts, now),
        "first_seen_at": now,
        "last_seen_at": now,
        "version": 1,
        "synced_version": 0,
        "needs_sync": route.action != "ignore",
        "sync_due_at": now,
    }


Item = tuple[int, Notification, datetime]  # (notification id, what it says, when received)


@dataclass
class _Known:
    """An alert's stored state as the batch moves it along (id None: inserted by it)."""

    id: int | None
    status: str
    event_at: datetime


@dataclass
class _Group:
    """A locked group row and what the batch has made of it so far."""

    row: Any
    created: bool
    firing: int
    status: str
    values: dict[str, Any]
    changed: bool = False


def _alert_values(alert: AlertState, now: datetime) -> dict[str, Any]:
    return {
        "name": alert.name[:300],
        "status": alert.status,
        "labels": alert.labels,
        "annotations": alert.annotations,
        "url": (alert.url or "")[:1000] or None,
        "starts_at": alert.starts_at,
        "ends_at": alert.ends_at,
        "event_at": alert.event_at,
        "updated_at": now,
    }


def _hashes(keys: Sequence[tuple[str, str]]) -> list[str]:
    return sorted({key_hash for key_hash, _source in keys})


def _lock_groups(
    conn: Connection, items: Sequence[Item], route_for: Callable[[Notification], Route]
) -> dict[tuple[str, str], _Group]:
    """Every group of the batch, locked in key order (created first when new)."""
    sql = statements(conn)
    first: dict[tuple[str, str], Item] = {}
    for item in items:
        first.setdefault((item[1].key_hash, item[1].source), item)
    keys = sorted(first)
    rows = {(r.key_hash, r.source): r for r in conn.execute(sql.groups, {"b_keys": _hashes(keys)})}
    created = set()
    for key in keys:
        if key not in rows:
            _id, note, at = first[key]
            if conn.execute(sql.new_group, _new_group(note, route_for(note), at)).scalar():
                created.add(key)
    missing = [key for key in keys if key not in rows]
    if missing:  # ours, or those a concurrent batch made
        fresh = conn.execute(sql.groups, {"b_keys": _hashes(missing)})
        rows.update({(r.key_hash, r.source): r for r in fresh})
    return {
        key: _Group(
            row=row,
            created=key in created,
            firing=row.firing_count,
            status=row.status,
            values={
                "last_seen_at": row.last_seen_at,
                "started_at": row.started_at,
                "pager_ack_at": row.pager_ack_at,
                "pager_ack_by": row.pager_ack_by,
                "title": row.title,
                "labels": row.labels,
                "links": row.links,
            },
        )
        for key, row in rows.items()
        if key in first
    }


def _move(
    group: _Group,
    known: dict[tuple[int, str], _Known],
    note: Notification,
    now: datetime,
    inserts: dict[tuple[int, str], dict[str, Any]],
    moves: dict[int, dict[str, Any]],
) -> list[Transition]:
    """One notification's alerts against the batch's view of the stored ones."""
    gid = group.row.id
    changes: list[Transition] = []
    for alert in note.alerts:
        key = (gid, alert.fingerprint)
        current = known.get(key)
        values = _alert_values(alert, now)
        if current is None:
            known[key] = _Known(None, alert.status, alert.event_at)
            inserts[key] = {"group_id": gid, "fingerprint": alert.fingerprint, **values}
            group.firing += alert.status == "firing"
            changes.append(_transition(alert))
            continue
        if alert.event_at < current.event_at or alert.status == current.status:
            continue  # an older state arriving late, or nothing new
        group.firing += 1 if alert.status == "firing" else -1
        current.status, current.event_at = alert.status, alert.event_at
        if current.id is None:
            inserts[key].update(values)
        else:
            moves[current.id] = {"b_id": current.id, **{f"b_{k}": v for k, v in values.items()}}
        changes.append(_transition(alert))
    return changes


def _transition(alert: Any) -> Transition:
    return Transition(alert.name, alert.status, alert.event_at, alert.labels, alert.url)


def apply_batch(
    session: Session, items: Sequence[Item], route_for: Callable[[Notification], Route]
) -> dict[int, Recorded]:
    """Apply stored notifications, oldest first, to their groups and alerts: a handful of
    statements per batch, not per notification."""
    conn = session.connection()
    sql = statements(conn)
    groups = _lock_groups(conn, items, route_for)
    prints = sorted({a.fingerprint for _, note, _ in items for a in note.alerts})
    known = {
        (r.group_id, r.fingerprint): _Known(r.id, r.status, r.event_at)
        for r in conn.execute(
            sql.known, {"b_groups": [g.row.id for g in groups.values()], "b_prints": prints}
        )
    }
    inserts: dict[tuple[int, str], dict[str, Any]] = {}
    moves: dict[int, dict[str, Any]] = {}
    results: dict[int, Recorded] = {}
    feeds: list[tuple[int, Notification, list[Transition], tuple[Any, Any], datetime]] = []
    announced: set[int] = set()
    for note_id, note, at in sorted(items, key=lambda item: item[0]):
        group = groups[(note.key_hash, note.source)]
        changes = _move(group, known, note, at, inserts, moves)
        pager, values = note.pager, group.values
        acked = (
            pager is not None and pager.acknowledged_at is not None and not values["pager_ack_at"]
        )
        status = "firing" if group.firing else "resolved"
        changed = bool(changes) or status != group.status or acked
        group.status = status
        values["last_seen_at"] = max(at, values["last_seen_at"])
        values["started_at"] = min([a.starts_at for a in note.alerts] + [values["started_at"]])
        if acked and pager is not None:
            values.update(pager_ack_at=pager.acknowledged_at, pager_ack_by=pager.acknowledged_by)
        if changed:
            group.changed = True
            links = [list(link) for link in note.links] or values["links"]
            values.update(title=note.title, labels=note.labels, links=links)
        row = group.row
        results[note_id] = Recorded(
            group_id=row.id,
            created=group.created and row.id not in announced,
            changed=len(changes),
            transitions=changes,
            incident_id=row.incident_id,
        )
        announced.add(row.id)
        if row.incident_id is not None and (changes or acked):
            ack = (values["pager_ack_at"], values["pager_ack_by"]) if acked else (None, None)
            feeds.append((row.incident_id, note, changes, ack, at))
    if inserts:
        conn.execute(sql.add_alerts, list(inserts.values()))
    if moves:
        conn.execute(sql.move_alert, list(moves.values()))
    touched = [
        {
            "b_id": g.row.id,
            "b_status": g.status,
            "b_firing_count": g.firing,
            "b_version": g.row.version + (1 if g.changed and not g.created else 0),
            "b_needs_sync": g.row.needs_sync or (g.changed and g.row.action != "ignore"),
            **{f"b_{k}": v for k, v in g.values.items()},
        }
        for g in groups.values()
    ]
    conn.execute(sql.touch_group, touched)
    for incident_id, note, changes, ack, at in feeds:  # after the alerts are written
        feed_incident(session, incident_id, note.source, changes, ack, at)
    return results
