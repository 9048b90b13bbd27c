"""POST /hooks/{alertmanager,grafana,pagerduty,generic}: alerts in, answered once recorded.

Order of checks: the endpoint exists (404 without INCIDENT_WEBHOOK_TOKEN), POST (405), the
declared size (413), the credential (401: bearer token, or PagerDuty's signature over the raw
body), the JSON and its shape (400, one line). Nothing is stored before all of them pass.
The sender's answer waits only for the database; Slack work follows from the record.
"""

from __future__ import annotations

import hmac
import json
import logging
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.exc import OperationalError

from bot.alerts import pagerduty
from bot.alerts.payloads import PayloadError
from bot.alerts.service import AlertService
from bot.wiring import Deps

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # 1 MiB
SOURCES = {
    "/hooks/alertmanager": "alertmanager",
    "/hooks/grafana": "grafana",
    "/hooks/pagerduty": "pagerduty",
    "/hooks/generic": "generic",
}
WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
STATUS = {
    200: "200 OK",
    400: "400 Bad Request",
    401: "401 Unauthorized",
    404: "404 Not Found",
    405: "405 Method Not Allowed",
    413: "413 Content Too Large",
    500: "500 Internal Server Error",
    503: "503 Service Unavailable",
}


class Refused(Exception):
    """An answer other than 200, with the one line that says why."""

    def __init__(self, status: int, message: str, headers: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or []


def _bearer_ok(environ: dict[str, Any], token: str) -> bool:
    scheme, _, offered = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), token)


def _read(environ: dict[str, Any]) -> bytes:
    """The raw body, refusing more than MAX_BODY (by Content-Length, or while reading)."""
    declared = environ.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise Refused(413, f"the body is over {MAX_BODY} bytes (1 MiB)")
    stream = environ["wsgi.input"]
    raw = stream.read(int(declared)) if declared.isdigit() else stream.read(MAX_BODY + 1)
    if len(raw) > MAX_BODY:
        raise Refused(413, f"the body is over {MAX_BODY} bytes (1 MiB)")
    return raw


class Hooks:
    """The four alert endpoints over one AlertService."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.settings = deps.settings
        self.service = AlertService(deps) if self.settings.INCIDENT_WEBHOOK_TOKEN else None

    def _source(self, environ: dict[str, Any]) -> str:
        source = SOURCES.get(environ.get("PATH_INFO", ""))
        if source is None or self.service is None:
            raise Refused(404, "not found (alert endpoints need INCIDENT_WEBHOOK_TOKEN)")
        if source == "pagerduty" and not self.settings.INCIDENT_PAGERDUTY_SECRET:
            raise Refused(404, "PagerDuty webhooks are off: set INCIDENT_PAGERDUTY_SECRET")
        if environ.get("REQUEST_METHOD") != "POST":
            raise Refused(405, "use POST", [("Allow", "POST")])
        return source

    def _authentic(self, source: str, environ: dict[str, Any], raw: bytes) -> None:
        if source == "pagerduty":
            secret = self.settings.INCIDENT_PAGERDUTY_SECRET or ""
            if not pagerduty.verify(secret, raw, environ.get("HTTP_X_PAGERDUTY_SIGNATURE")):
                raise Refused(401, "X-PagerDuty-Signature is missing or does not match the body")
            return
        if not _bearer_ok(environ, self.settings.INCIDENT_WEBHOOK_TOKEN or ""):
            raise Refused(
                401,
                "missing or wrong bearer token (Authorization: Bearer $INCIDENT_WEBHOOK_TOKEN)",
                [("WWW-Authenticate", 'Bearer realm="incident-bot"')],
            )

    def handle(self, environ: dict[str, Any]) -> dict[str, Any]:
        source = self._source(environ)
        declared = environ.get("CONTENT_LENGTH") or ""
        if declared.isdigit() and int(declared) > MAX_BODY:
            raise Refused(413, f"the body is over {MAX_BODY} bytes (1 MiB)")
        if source != "pagerduty":
            self._authentic(source, environ, b"")
        raw = _read(environ)
        if source == "pagerduty":
            self._authentic(source, environ, raw)
        try:
            body = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise Refused(400, f"malformed JSON: {exc}") from None
        assert self.service is not None
        try:
            received = self.service.receive(source, body, raw)
        except PayloadError as exc:
            raise Refused(400, f"wrong shape for {source}: {exc}") from None
        answer: dict[str, Any] = {"ok": True, "outcome": received.outcome}
        if received.reason:
            answer["reason"] = received.reason
        return answer

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        headers: list[tuple[str, str]] = []
        try:
            status, answer = 200, self.handle(environ)
        except Refused as exc:
            status, answer, headers = exc.status, {"ok": False, "error": exc.message}, exc.headers
        except OperationalError:
            log.exception("alert endpoint: database unavailable")
            status, answer = 503, {"ok": False, "error": "database unavailable; retry later"}
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("alert endpoint failed ref=%s", ref)
            status, answer = 500, {"ok": False, "error": f"internal error (ref {ref})"}
        body = (json.dumps(answer) + "\n").encode()
        start_response(
            STATUS[status],
            [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(body))),
                *headers,
            ],
        )
        return [body]
