"""`incident-bot status-page build DIR`: the status page as static files, for a CDN.

DIR/index.html, DIR/incidents/<public id>/index.html, DIR/feed.atom and DIR/summary.json, the
same documents `serve` answers under /status (links relative, so DIR can live at any path).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from bot.config import ConfigError, Settings
from bot.db import Database
from bot.statuspage import render, snapshot
from bot.statuspage.components import catalogue


def build(settings: Settings, db: Database, directory: Path, now: datetime) -> list[Path]:
    """Write the page's files into `directory` (created if needed); returns what was written."""
    if not settings.INCIDENT_STATUS_PAGE_URL:
        raise ConfigError(
            "INCIDENT_STATUS_PAGE_URL is not set: the feed and summary.json name the page's "
            "public address (e.g. https://status.example.com)"
        )
    page = render.PageInfo.from_settings(settings, settings.INCIDENT_STATUS_PAGE_URL)
    with db.unit_of_work() as session:
        snap = snapshot.take(session, catalogue(settings), now)
    files = {
        Path("index.html"): render.index_html(snap, page, root=".").encode(),
        Path("feed.atom"): render.atom(snap, page),
        Path("summary.json"): render.summary(snap, page),
    }
    for incident in snap.ongoing + snap.resolved:
        html = render.incident_html(incident, page, root="../..")
        files[Path("incidents", incident.id, "index.html")] = html.encode()
    written = []
    for relative, body in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        written.append(path)
    return written
