"""GET /status, /status/incidents/<id>, /status/feed.atom, /status/summary.json.

Rendered documents are cached in memory under a key that changes whenever the page may:
the page's version (the newest public update's id: every publish and every resolution adds
an update), the component file's change time, the public URL, and the minute (the 14-day
window moves; a deleted incident leaves the page within a minute). The version is read from
the database (one query on a primary-key index, in a read-only transaction that takes no
SQLite write lock) right after this process commits a public change, and otherwise at most
once a second, for what other replicas commit. A new key is rendered once, by the first
reader who asks. Every answer carries an ETag (the body's hash) and Cache-Control; a
conditional GET whose If-None-Match names it is answered 304 without a body.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from wsgiref.util import application_uri

from bot.statuspage import changes, render, snapshot
from bot.statuspage.components import Catalogue, catalogue
from bot.wiring import Deps
from bot.wsgi import plain

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
CACHE_CONTROL = "public, max-age=30, must-revalidate"  # readers see a change within 30 s
CACHE_SIZE = 512
RECHECK = 1.0  # seconds: how soon another replica's publish shows here
_INCIDENT = re.compile(r"/status/incidents/([a-z0-9]{1,16})/?")
HTML, ATOM, JSON = (
    "text/html; charset=utf-8",
    "application/atom+xml; charset=utf-8",
    "application/json; charset=utf-8",
)


@dataclass(frozen=True)
class Rendered:
    body: bytes
    content_type: str
    etag: str


class PageCache:
    """A bounded map of rendered documents, safe across waitress's threads. A new version of
    a document is rendered once: the reader who asks first renders it (and gets it), readers
    arriving meanwhile get the previous version of that document at once, or wait for the
    rendering when there is none (hundreds of readers arrive together right after a publish).
    """

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._items: OrderedDict[tuple[Any, ...], Rendered | None] = OrderedDict()
        self._latest: dict[Any, Rendered | None] = {}  # by document: the last one rendered
        self._flights: dict[tuple[Any, ...], threading.Lock] = {}
        self._lock = threading.Lock()
        self._size = size

    def get(
        self, key: tuple[Any, ...], make: Callable[[], Rendered | None], document: Any = None
    ) -> Rendered | None:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            flight = self._flights.setdefault(key, threading.Lock())
            previous = self._latest.get(document)
        if not flight.acquire(blocking=previous is None):
            return previous  # being rendered by another reader: the previous version meanwhile
        try:
            with self._lock:
                if key in self._items:
                    return self._items[key]
            made = make()
            with self._lock:
                self._items[key] = self._latest[document] = made
                self._flights.pop(key, None)
                while len(self._items) > self._size:
                    self._items.popitem(last=False)
                while len(self._latest) > self._size:
                    self._latest.pop(next(iter(self._latest)))
            return made
        finally:
            flight.release()

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def rendered(body: bytes, content_type: str) -> Rendered:
    return Rendered(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:32] + '"')


class StatusPage:
    """The status page's WSGI endpoint (mounted by bot.web under /status)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.cache = PageCache()
        self._lock = threading.Lock()
        self._known = (-1, 0, -RECHECK)  # (this process's change count, version, when read)

    def version(self) -> int:
        """The newest public update's id: read again after a public change committed here,
        and at least every RECHECK seconds (for changes other replicas commit)."""
        seen = changes.count()
        with self._lock:
            counted, version, read_at = self._known
        if counted == seen and time.monotonic() - read_at < RECHECK:
            return version
        with self.deps.db.reading() as session:
            version = snapshot.version(session)
        with self._lock:
            self._known = (seen, version, time.monotonic())
        return version

    def document(self, path: str, base_url: str) -> Rendered | None:
        """The document at `path`, from the cache when nothing public changed; None: 404."""
        settings = self.deps.settings
        components = catalogue(settings)
        page = render.PageInfo.from_settings(settings, base_url)
        if not path.endswith((".atom", ".json")):
            # HTML links are relative: one rendering for every Host a request may claim.
            page = replace(page, base_url="")
        now = self.deps.clock()
        key = (path, page, self.version(), components, now.replace(second=0, microsecond=0))
        make = lambda: self._render(path, page, components, now)  # noqa: E731
        return self.cache.get(key, make, document=(path, page))

    def _render(
        self, path: str, page: render.PageInfo, components: Catalogue, now: datetime
    ) -> Rendered | None:
        with self.deps.db.reading() as session:
            if match := _INCIDENT.fullmatch(path):
                incident = snapshot.one(session, match.group(1))
                if incident is None:
                    return None
                return rendered(render.incident_html(incident, page).encode(), HTML)
            if path not in ("/status", "/status/", "/status/feed.atom", "/status/summary.json"):
                return None
            snap = snapshot.take(session, components, now)
        if path.endswith(".atom"):
            return rendered(render.atom(snap, page), ATOM)
        if path.endswith(".json"):
            return rendered(render.summary(snap, page), JSON)
        return rendered(render.index_html(snap, page).encode(), HTML)

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        if method not in ("GET", "HEAD"):
            return plain(
                start_response, "405 Method Not Allowed", b"GET only\n", [("Allow", "GET, HEAD")]
            )
        base = application_uri(environ).rstrip("/") + "/status"
        found = self.document(environ.get("PATH_INFO", ""), base)
        if found is None:
            return plain(start_response, "404 Not Found", b"not found\n")
        headers = [
            ("Content-Type", found.content_type),
            ("Cache-Control", CACHE_CONTROL),
            ("ETag", found.etag),
            ("X-Content-Type-Options", "nosniff"),
            ("Referrer-Policy", "no-referrer"),
        ]
        if found.content_type == HTML:
            headers.append(("Content-Security-Policy", render.CSP))
        if found.content_type == JSON:
            headers.append(("Access-Control-Allow-Origin", "*"))  # widgets read it from anywhere
        if _matches(environ.get("HTTP_IF_NONE_MATCH"), found.etag):
            start_response("304 Not Modified", headers[1:3])
            return [b""]
        start_response("200 OK", [*headers, ("Content-Length", str(len(found.body)))])
        return [b""] if method == "HEAD" else [found.body]


def _matches(header: str | None, etag: str) -> bool:
    """If-None-Match (RFC 9110 13.1.2): `*`, or a list of tags compared weakly."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in {t.strip().removeprefix("W/") for t in header.split(",")}


def not_found(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """/status* while INCIDENT_STATUS_PAGE is off."""
    return plain(start_response, "404 Not Found", b"not found\n")
