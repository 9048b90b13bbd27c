"""The HTTP side of the fake: routes /api/<method>, upload URLs and response_urls."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .api_files import receive_upload
from .dispatch import NO_ANSWER

if TYPE_CHECKING:
    from .fake import FakeSlack


def _form(text: str) -> dict[str, Any]:
    return {k: v[-1] for k, v in parse_qs(text, keep_blank_values=True).items()}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeSlack  # set on the per-server subclass
    server_version = "FakeSlack/1.0"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        self._route(b"")

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self._route(self.rfile.read(length) if length else b"")

    def _route(self, body: bytes) -> None:
        url = urlsplit(self.path)
        parts = url.path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "api":
            self._api(parts[1], url.query, body)
        elif len(parts) == 3 and parts[:2] == ["upload", "v1"]:
            status, text = receive_upload(self.fake, parts[2], body)
            self._send(status, text.encode(), "text/plain")
        elif len(parts) == 2 and parts[0] == "response":
            status, text = self.fake.receive_response(parts[1], body)
            self._send(status, text.encode(), "text/html")
        else:
            self._send(404, b"not found", "text/plain")

    def _api(self, method: str, query: str, body: bytes) -> None:
        args = _form(query)
        content_type = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        is_json = content_type == "application/json"
        try:
            if is_json and body:
                args.update(json.loads(body.decode("utf-8")))
            elif body:
                args.update(_form(body.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError, AttributeError):
            self._json(200, {"ok": False, "error": "invalid_form_data"})
            return
        status, headers, answer = self.fake.handle_api(
            method, args, is_json=is_json, authorization=self.headers.get("Authorization")
        )
        if status == NO_ANSWER:  # as when the connection drops after Slack did the work
            self.close_connection = True
            return
        self._json(status, answer, headers)

    def _json(
        self, status: int, answer: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        self._send(status, json.dumps(answer).encode(), "application/json; charset=utf-8", headers)

    def _send(
        self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    # Slack takes many calls at once (workflow steps run concurrently); the stdlib's listen
    # backlog of 5 would drop connections a real Slack accepts.
    request_queue_size = 128


class FakeSlackServer:
    """A ThreadingHTTPServer on 127.0.0.1 (ephemeral port) in a daemon thread."""

    def __init__(self, fake: FakeSlack) -> None:
        handler = type("BoundHandler", (_Handler,), {"fake": fake})
        self.httpd = _Server(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def root_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)
