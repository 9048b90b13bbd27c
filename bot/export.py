"""`incident-bot export`: incidents as SPEC's JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from bot.comms.updates import updates_of
from bot.drafting.audit import audits_for
from bot.incidents.lifecycle import by_number, incident_durations
from bot.models import Incident, TimelineEntry

MILESTONE_FIELDS = (
    "started_at",
    "detected_at",
    "declared_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
)
DURATION_FIELDS = ("time_to_detect", "time_to_acknowledge", "time_to_mitigate", "time_to_resolve")
CSV_FIELDS = (
    "number",
    "title",
    "severity",
    "status",
    "private",
    "channel_id",
    "channel_name",
    "commander",
    *MILESTONE_FIELDS,
    *DURATION_FIELDS,
    "timeline_entries",
    "open_action_items",
    "summary",  # added after the first release: at the end, so older readers keep their columns
    "impact",
    "type",
    "fields",  # a JSON object in one cell
)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def entry_dict(entry: TimelineEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entry.id,
        "at": _iso(entry.at),
        "kind": entry.kind,
        "text": entry.text,
        "author": entry.author,
    }
    if entry.kind == "decision":
        out.update(
            rationale=entry.rationale, alternatives=entry.alternatives, decided_by=entry.decided_by
        )
    if entry.kind == "message":
        out.update(permalink=entry.permalink, deleted=entry.deleted, files=entry.files or [])
    return out


def incident_dict(incident: Incident) -> dict[str, Any]:
    """One incident in SPEC's export shape."""
    out: dict[str, Any] = {
        "number": incident.number,
        "title": incident.title,
        "summary": incident.summary,
        "impact": incident.impact,
        "resolution": incident.resolution,
        "severity": incident.severity,
        "status": incident.status,
        "type": incident.type,
        "fields": dict(incident.fields or {}),
        "channel_id": incident.channel_id,
        "channel_name": incident.channel_name,
        "private": incident.private,
        "commander": incident.commander,
    }
    for name in MILESTONE_FIELDS:
        out[name] = _iso(getattr(incident, name))
    out.update(incident_durations(incident))
    out["timeline"] = [entry_dict(e) for e in incident.timeline if not e.removed]
    session = object_session(incident)
    out["prompt_audits"] = audits_for(session, incident.id) if session is not None else []
    out["updates"] = [
        {"at": _iso(u.at), "author": u.author, "text": u.text, "public": u.public}
        for u in (updates_of(session, incident.id) if session is not None else [])
    ]
    out["action_items"] = [
        {
            "id": a.id,
            "text": a.text,
            "owner": a.owner,
            "due": a.due.isoformat() if a.due else None,
            "status": a.status,
        }
        for a in incident.action_items
    ]
    return out


def load(
    session: Session, which: str, since: date | None = None, until: date | None = None
) -> list[Incident]:
    """`all` (optionally declared within [since, until]) or one incident by number."""
    if which != "all":
        return [by_number(session, int(which))]
    query = (
        select(Incident)
        .options(selectinload(Incident.timeline), selectinload(Incident.action_items))
        .order_by(Incident.number)
    )
    if since is not None:
        query = query.where(Incident.declared_at >= _day_start(since))
    if until is not None:
        query = query.where(Incident.declared_at < _day_start(until, next_day=True))
    return list(session.scalars(query))


def _day_start(day: date, next_day: bool = False) -> datetime:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start + timedelta(days=1) if next_day else start


def to_json(rows: Sequence[Incident], single: bool) -> str:
    data = [incident_dict(i) for i in rows]
    return json.dumps(data[0] if single else data, indent=2, ensure_ascii=False)


def to_csv(rows: Sequence[Incident]) -> str:
    """One row per incident with every milestone and duration, ready for a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_FIELDS, lineterminator="\n")
    writer.writeheader()
    for incident in rows:
        data = incident_dict(incident)
        row = {k: data.get(k) for k in CSV_FIELDS}
        row["timeline_entries"] = len(data["timeline"])
        row["open_action_items"] = sum(1 for a in data["action_items"] if a["status"] == "open")
        row["private"] = "true" if incident.private else "false"
        row["fields"] = json.dumps(data["fields"], sort_keys=True) if data["fields"] else None
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return buffer.getvalue()


def _cell(value: object) -> object:
    """Empty for None; text a spreadsheet would run as a formula is quoted with a '."""
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
