"""The HTTP side of `serve`: /slack/events to Bolt, /healthz and /metrics beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.stats.metrics import exposition
from bot.wiring import Deps

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def wsgi_app(app: App, deps: Deps, *, slack_events: bool = True) -> WsgiApp:
    """/slack/events to Bolt (unless Slack comes over Socket Mode); /healthz and /metrics."""
    slack = SlackRequestHandler(app, path="/slack/events")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/healthz" and environ.get("REQUEST_METHOD") == "GET":
            ok = deps.db.ping()
            start_response(
                "200 OK" if ok else "503 Service Unavailable", [("Content-Type", "text/plain")]
            )
            return [b"ok\n" if ok else b"database unavailable\n"]
        if path == "/metrics" and environ.get("REQUEST_METHOD") == "GET":
            body, content_type = exposition(deps)
            start_response("200 OK", [("Content-Type", content_type)])
            return [body]
        if not slack_events:  # Socket Mode: Slack's requests come over the WebSocket
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found\n"]
        return slack(environ, start_response)

    return application
