"""The status page's documents: HTML (Jinja2, autoescaped), Atom 1.0 and Statuspage-shaped
JSON, each rendered from a Snapshot alone."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from bot.config import Settings
from bot.statuspage.components import Component
from bot.statuspage.rules import IMPACT_LABELS, STATUS_LABELS
from bot.statuspage.snapshot import PublicIncident, Snapshot

TEMPLATES = Path(__file__).parent / "templates"
ATOM = "http://www.w3.org/2005/Atom"
CSS = (TEMPLATES / "page.css").read_text()
SCRIPT = (TEMPLATES / "local-times.js").read_text()
# The only script and style the pages run: allowed by hash in the Content-Security-Policy.
SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
STYLE_HASH = base64.b64encode(hashlib.sha256(CSS.encode()).digest()).decode()
CSP = (
    "default-src 'none'; img-src https: http: data:; "
    f"style-src 'sha256-{STYLE_HASH}'; script-src 'sha256-{SCRIPT_HASH}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def rfc3339(at: datetime) -> str:
    """`2026-11-27T11:02:03Z`: RFC 3339 in UTC, whole seconds."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


_ENV = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,  # every template, whatever its name: public text is escaped, always
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_ENV.filters.update(rfc3339=rfc3339, utc=utc)


@dataclass(frozen=True)
class PageInfo:
    """The page's own settings (INCIDENT_STATUS_PAGE_*), and where it is served."""

    title: str
    logo_url: str | None
    home_url: str | None
    base_url: str  # absolute URL of /status, for the feed and the JSON

    @classmethod
    def from_settings(cls, settings: Settings, base_url: str) -> PageInfo:
        return cls(
            title=settings.INCIDENT_STATUS_PAGE_TITLE,
            logo_url=settings.INCIDENT_STATUS_PAGE_LOGO_URL,
            home_url=settings.INCIDENT_STATUS_PAGE_HOME_URL,
            base_url=(settings.INCIDENT_STATUS_PAGE_URL or base_url).rstrip("/"),
        )

    @property
    def id(self) -> str:
        """A page id stable for one URL (Statuspage's `page.id`)."""
        return hashlib.sha256(self.base_url.encode()).hexdigest()[:12]


def _html(template: str, page: PageInfo, root: str, **context: Any) -> str:
    return _ENV.get_template(template).render(
        page=page,
        root=root,
        css=Markup(CSS),
        script=Markup(SCRIPT),
        labels=IMPACT_LABELS,
        **context,
    )


def index_html(snapshot: Snapshot, page: PageInfo, root: str = "/status") -> str:
    """GET /status."""
    return _html("index.html.j2", page, root, snapshot=snapshot)


def incident_html(incident: PublicIncident, page: PageInfo, root: str = "/status") -> str:
    """GET /status/incidents/<public id>."""
    return _html("incident.html.j2", page, root, incident=incident)


def atom(snapshot: Snapshot, page: PageInfo) -> bytes:
    """Atom 1.0 (RFC 4287): one entry per public update, newest first."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    _text(feed, "id", "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, page.base_url)))
    _text(feed, "title", f"{page.title}: incident updates")
    _text(feed, "updated", rfc3339(snapshot.updated_at))
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=f"{page.base_url}/feed.atom")
    ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=page.base_url)
    _text(ET.SubElement(feed, f"{{{ATOM}}}author"), "name", page.title)
    entries = [(i, u) for i in snapshot.ongoing + snapshot.resolved for u in i.updates]
    for incident, update in sorted(entries, key=lambda e: (e[1].at, e[1].id), reverse=True):
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        _text(entry, "id", "urn:uuid:" + str(uuid.UUID(hex=update.id)))
        _text(
            entry, "title", f"{incident.title}: {STATUS_LABELS.get(update.status, update.status)}"
        )
        _text(entry, "updated", rfc3339(update.at))
        _text(entry, "published", rfc3339(update.at))
        href = f"{page.base_url}/incidents/{incident.id}"
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", type="text/html", href=href)
        ET.SubElement(entry, f"{{{ATOM}}}content", type="text").text = update.body
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8")


def _text(parent: ET.Element, name: str, text: str) -> None:
    ET.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def summary(snapshot: Snapshot, page: PageInfo) -> bytes:
    """Atlassian Statuspage's /api/v2/summary.json shape: unresolved incidents only."""
    body = {
        "page": {
            "id": page.id,
            "name": page.title,
            "url": page.base_url,
            "time_zone": "Etc/UTC",
            "updated_at": rfc3339(snapshot.updated_at),
        },
        "status": {"indicator": snapshot.indicator, "description": snapshot.description},
        "components": [
            {
                "id": c.id,
                "name": c.name,
                "status": c.state,
                "created_at": rfc3339(c.created_at),
                "updated_at": rfc3339(c.updated_at),
                "position": c.position,
                "description": c.description,
                "showcase": True,
                "start_date": None,
                "group_id": None,
                "page_id": page.id,
                "group": False,
                "only_show_if_degraded": False,
            }
            for c in snapshot.components
        ],
        "incidents": [_incident(i, page) for i in snapshot.ongoing],
        "scheduled_maintenances": [],
    }
    return json.dumps(body, ensure_ascii=False, indent=2).encode()


def _incident(incident: PublicIncident, page: PageInfo) -> dict[str, Any]:
    monitoring = [u.at for u in incident.updates if u.status == "monitoring"]
    return {
        "id": incident.id,
        "name": incident.title,
        "status": incident.status,
        "created_at": rfc3339(incident.created_at),
        "updated_at": rfc3339(incident.updated_at),
        "monitoring_at": rfc3339(min(monitoring)) if monitoring else None,
        "resolved_at": rfc3339(incident.resolved_at) if incident.resolved_at else None,
        "impact": incident.indicator,
        "shortlink": f"{page.base_url}/incidents/{incident.id}",
        "started_at": rfc3339(incident.created_at),
        "page_id": page.id,
        "incident_updates": [
            {
                "id": u.id,
                "status": u.status,
                "body": u.body,
                "incident_id": incident.id,
                "created_at": rfc3339(u.at),
                "updated_at": rfc3339(u.at),
                "display_at": rfc3339(u.at),
                "affected_components": None,
            }
            for u in incident.updates
        ],
        "components": [
            {"id": Component(name).id, "name": name, "status": impact}
            for name, impact in incident.components
        ],
    }
