"""Update nudges: a quiet or commander-less incident gets a reminder in its channel."""

from __future__ import annotations

from datetime import datetime

from bot.clock import human_duration
from bot.models import Incident, Outbox
from bot.outbox.delivery import Moot
from bot.wiring import Deps


def send_nudge(deps: Deps, row: Outbox, now: datetime) -> str:
    """Post a planned nudge, unless the incident moved on since it was planned."""
    p = row.payload
    with deps.db.unit_of_work() as session:
        incident = session.get(Incident, p["incident"])
        if incident is None or not incident.is_open:
            raise Moot("incident resolved")
        if p["reason"] == "quiet":
            if incident.last_activity_at.isoformat() != p["last_activity"]:
                raise Moot("incident updated")
            quiet = int((now - incident.last_activity_at).total_seconds())
        else:
            quiet = int((now - incident.declared_at).total_seconds())
        text = nudge_text(incident.number, incident.commander, p["reason"], quiet)
        channel = incident.channel_id
    deps.notifier.post(channel, text)
    return f"nudge {p['reason']} incident {incident.number}"


def nudge_text(number: int, commander: str | None, reason: str, quiet_for: int) -> str:
    """Ask the commander for an update (quiet) or to confirm who commands (unowned)."""
    who = f"<@{commander}>" if commander else "Whoever is commanding"
    if reason == "unowned":
        return (
            f":bust_in_silhouette: {who}, incident {number} has had no commander change and no "
            f"milestone for {human_duration(quiet_for)}. Confirm who is commanding "
            "(`/incident role commander @someone`) or record a milestone."
        )
    return (
        f":speech_balloon: {who}, incident {number} has been quiet for "
        f"{human_duration(quiet_for)}. Please post an update: `/incident note TEXT` or "
        "`/incident status …`."
    )
