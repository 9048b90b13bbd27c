"""Slash-command ack latency: incident-bot vs a bare Bolt app on the same server.

Both apps run under waitress (same thread count) on 127.0.0.1 with the demo's local Slack
stand-in; requests are signed like Slack's. Prints p50/p99 in milliseconds.

    .venv/bin/python bench/ack_latency.py [--requests 400]
"""

from __future__ import annotations

import argparse
import http.client
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from _common import percentile, table
from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.app import build_app
from bot.config import load_settings
from bot.demo.slack_standin import DemoSlack
from bot.migrate import upgrade
from bot.web import wsgi_app
from bot.wiring import build_deps

SECRET = "bench-secret"
THREADS = 16
RESPONSE_URL = ["http://127.0.0.1:9/unset"]


def serve(wsgi: Callable[..., Any]) -> tuple[Any, int]:
    server = create_server(
        wsgi, host="127.0.0.1", port=0, threads=THREADS, asyncore_loop_timeout=0.05
    )
    threading.Thread(target=server.run, daemon=True).start()
    return server, server.effective_port


def ours(stand_in: DemoSlack, workdir: Path) -> tuple[Any, int, str]:
    settings = load_settings(
        SLACK_BOT_TOKEN="xoxb-bench",
        SLACK_SIGNING_SECRET=SECRET,
        SLACK_API_URL=stand_in.api_url,
        DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
        OPENAI_API_KEY=None,
    )
    deps = build_deps(settings)
    upgrade(deps.db)
    app = build_app(deps)
    server, port = serve(wsgi_app(app, deps))
    post(port, "declare sev2 Bench incident", "C0ANNOUNCE")
    deadline = time.time() + 10
    while not stand_in.channels.get("C00000001") and time.time() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    channel = next(c for c, name in stand_in.channels.items() if name.startswith("inc-"))
    return server, port, channel


def bare(stand_in: DemoSlack) -> tuple[Any, int]:
    # Same client setup as ours: auth.test once at start, against the same stand-in.
    app = App(
        signing_secret=SECRET,
        client=WebClient(token="xoxb-bench", base_url=stand_in.api_url),
    )

    @app.command("/incident")
    def incident(ack: Any, body: dict[str, Any]) -> None:
        text = body.get("text", "")
        ack(text="usage…") if text == "help" else ack()

    return serve(SlackRequestHandler(app))


def signed(text: str, channel: str) -> tuple[bytes, dict[str, str]]:
    body = urlencode(
        {
            "command": "/incident",
            "text": text,
            "user_id": "U0ALICE",
            "channel_id": channel,
            "team_id": "T0BENCH",
            "trigger_id": "1.2.3",
            "response_url": RESPONSE_URL[0],
        }
    )
    stamp = str(int(time.time()))
    sig = SignatureVerifier(SECRET).generate_signature(timestamp=stamp, body=body)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": sig,
    }
    return body.encode(), headers


def post(
    port: int, text: str, channel: str, conn: http.client.HTTPConnection | None = None
) -> float:
    body, headers = signed(text, channel)
    own = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.perf_counter()
    own.request("POST", "/slack/events", body=body, headers=headers)
    response = own.getresponse()
    response.read()
    elapsed = time.perf_counter() - started
    assert response.status == 200, response.status
    if conn is None:
        own.close()
    return elapsed


def load(port: int, text: str, channel: str, concurrency: int, total: int) -> list[float]:
    samples: list[float] = []
    lock = threading.Lock()
    per_worker = max(1, total // concurrency)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = [post(port, text, channel, conn) for _ in range(per_worker)]
        conn.close()
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    stand_in = DemoSlack(show=lambda _line: None)
    RESPONSE_URL[0] = stand_in.response_url("bench")
    workdir = Path(tempfile.mkdtemp(prefix="incident-bot-bench-"))
    _our_server, our_port, channel = ours(stand_in, workdir)
    _bare_server, bare_port = bare(stand_in)
    rows = []
    for command in ("help", "note bench note"):
        for concurrency in (1, 20):
            result = {}
            for name, port in (("bare Bolt", bare_port), ("incident-bot", our_port)):
                load(port, command, channel, concurrency, 40)  # warm-up
                ms = [s * 1000 for s in load(port, command, channel, concurrency, args.requests)]
                result[name] = (percentile(ms, 0.5), percentile(ms, 0.99))
                time.sleep(1.0)  # let background work from `note` drain
            ratio = result["incident-bot"][0] / result["bare Bolt"][0]
            rows.append(
                [
                    command.split()[0],
                    concurrency,
                    f"{result['bare Bolt'][0]:.1f}",
                    f"{result['bare Bolt'][1]:.1f}",
                    f"{result['incident-bot'][0]:.1f}",
                    f"{result['incident-bot'][1]:.1f}",
                    f"{ratio:.2f}×",
                ]
            )
    print(
        table(
            [
                "command",
                "concurrency",
                "bare p50 ms",
                "bare p99 ms",
                "ours p50 ms",
                "ours p99 ms",
                "p50 ratio",
            ],
            rows,
        )
    )
    stand_in.close()


if __name__ == "__main__":
    main()
