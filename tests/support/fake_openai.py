"""A local OpenAI-compatible Chat Completions server over real HTTP, for the drafting tests.

Records every request body; answers from a script of replies (then from `auto`, which writes a
schema-valid answer citing ids it finds in the request's data).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

DATA = re.compile(r"<incident_data>\n(.*)\n</incident_data>", re.DOTALL)
NARRATIVE_KEYS = (
    "summary",
    "impact",
    "root_causes",
    "trigger",
    "detection",
    "resolution",
    "went_well",
    "went_wrong",
    "got_lucky",
)


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    content: str | None = None
    refusal: str | None = None
    finish_reason: str = "stop"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    body: dict[str, Any] | None = None  # an error body for non-200 answers


def json_reply(obj: Any) -> Reply:
    return Reply(content=json.dumps(obj))


def text_reply(text: str) -> Reply:
    return Reply(content=text)


def refusal_reply(text: str = "I can't help with that.") -> Reply:
    return Reply(content=None, refusal=text)


def error_reply(status: int, retry_after_ms: int | None = None) -> Reply:
    headers = {"retry-after-ms": str(retry_after_ms)} if retry_after_ms is not None else {}
    return Reply(
        status=status,
        headers=headers,
        body={"error": {"message": f"fake {status}", "type": "fake", "code": str(status)}},
    )


def slow_reply(delay: float) -> Reply:
    return Reply(delay=delay, content=json.dumps({k: [] for k in NARRATIVE_KEYS}))


def request_data(body: dict[str, Any]) -> dict[str, Any]:
    """The JSON data block of a recorded request's user message."""
    user = next(m["content"] for m in body["messages"] if m["role"] == "user")
    match = DATA.search(user)
    return json.loads(match.group(1)) if match else {}


def cited_ids(item: dict[str, Any]) -> list[int]:
    return list(item["cites"]) if "cites" in item else [item["id"]]


def auto(body: dict[str, Any]) -> Reply:
    """A well-behaved model: digests condense 25:1, drafts cite real entries."""
    name = body.get("response_format", {}).get("json_schema", {}).get("name")
    items = request_data(body).get("timeline", [])
    if name == "timeline_digest":
        events = []
        for start in range(0, len(items), 25):
            group = items[start : start + 25]
            ids = [i for item in group for i in cited_ids(item)]
            events.append(
                {
                    "at": group[0].get("at", ""),
                    "text": f"{len(group)} events",
                    "cites": [ids[0], ids[-1]],
                }
            )
        return json_reply({"events": events})
    ids = [i for item in items for i in cited_ids(item)]
    first = ids[:1]
    out: dict[str, Any] = {key: [] for key in NARRATIVE_KEYS}
    out["summary"] = [{"text": "The service failed and was restored.", "citations": first}]
    out["root_causes"] = [{"text": "A bad deploy caused the errors.", "citations": ids[-1:]}]
    return json_reply(out)


class FakeOpenAI:
    """Start with `with FakeOpenAI.running() as fake:`; point OPENAI_BASE_URL at `fake.url`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.script: deque[Reply | Callable[[dict[str, Any]], Reply]] = deque()
        self.default: Callable[[dict[str, Any]], Reply] = auto
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @classmethod
    @contextmanager
    def running(cls) -> Iterator[FakeOpenAI]:
        fake = cls()
        fake._thread.start()
        try:
            yield fake
        finally:
            fake._server.shutdown()
            fake._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def push(self, *replies: Reply | Callable[[dict[str, Any]], Reply]) -> None:
        self.script.extend(replies)

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            step = self.script.popleft() if self.script else self.default
        return step(body) if callable(step) else step

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", "0")))
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": {"message": "only /v1/chat/completions"}})
                    return
                body = json.loads(raw)
                fake.headers.append(dict(self.headers))
                reply = fake._next(body)
                if reply.delay:
                    time.sleep(reply.delay)
                if reply.status != 200:
                    self._send(reply.status, reply.body or {}, reply.headers)
                    return
                message = {"role": "assistant", "content": reply.content, "refusal": reply.refusal}
                self._send(
                    200,
                    {
                        "id": f"chatcmpl-{len(fake.requests)}",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", "fake"),
                        "choices": [
                            {
                                "index": 0,
                                "message": message,
                                "finish_reason": reply.finish_reason,
                                "logprobs": None,
                            }
                        ],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                    },
                    reply.headers,
                )

            def _send(
                self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(data)))
                    for key, value in (headers or {}).items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout tests)

        return Handler
