"""Alert intake: 10,000 Alertmanager notifications over 200 groups into `incident-bot serve`.

The bot runs as its own process (`python -m bot serve --no-scheduler`, waitress, the default
16 threads) on SQLite and on PostgreSQL; Slack is the demo's local stand-in, so the triage
messages are really posted and edited while the notifications arrive. Clients keep their
connections alive, like Alertmanager, and send CONCURRENCY at a time. Each notification
changes some alert states (every body differs, none is a duplicate). Prints throughput
(notifications/s) and the time to answer the sender (p50/p99), then how long Slack took to
catch up with the last state of every group.

    .venv/bin/python bench/alerts.py [--notifications 10000] [--groups 200] [--concurrency 8]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from _common import ROOT, percentile, table
from sqlalchemy import create_engine, text

from bot.demo.slack_standin import DemoSlack

TOKEN = "bench-webhook-token-0123456789"
PG_ADMIN = os.environ.get("INCIDENT_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ALERTS_PER_GROUP = 5
BASE = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)


def payload(group: int, round_: int) -> bytes:
    """Round `round_` of group `group`: alert j fires unless (round + j) % 3 == 0."""
    alerts = []
    for j in range(ALERTS_PER_GROUP):
        labels = {"alertname": f"Bench{group}", "service": f"svc-{group}", "instance": f"h{j}"}
        resolved = (round_ + j) % 3 == 0
        moment = (BASE + timedelta(minutes=round_)).isoformat().replace("+00:00", "Z")
        alerts.append(
            {
                "status": "resolved" if resolved else "firing",
                "labels": labels,
                "annotations": {"summary": f"Bench group {group}"},
                "startsAt": BASE.isoformat().replace("+00:00", "Z") if not resolved else moment,
                "endsAt": moment if resolved else "0001-01-01T00:00:00Z",
                "generatorURL": f"http://prometheus.example:9090/graph?g0.expr=bench{group}",
                "fingerprint": f"{group:06x}{j:04x}{'0' * 6}",
            }
        )
    body = {
        "receiver": "incident-bot",
        "status": "firing",
        "alerts": alerts,
        "groupLabels": {"alertname": f"Bench{group}"},
        "commonLabels": {"alertname": f"Bench{group}", "service": f"svc-{group}"},
        "commonAnnotations": {"summary": f"Bench group {group}"},
        "externalURL": "http://alertmanager.example:9093",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="Bench{group}"}}',
        "truncatedAlerts": 0,
    }
    return json.dumps(body).encode()


def start_bot(url: str, slack: DemoSlack, channel: str, port: int, workdir: Path) -> Any:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": slack.api_url,
        "DATABASE_URL": url,
        "INCIDENT_WEBHOOK_TOKEN": TOKEN,
        "INCIDENT_ALERT_CHANNEL": channel,
    }
    command = [sys.executable, "-m", "bot", "serve", "--no-scheduler", "--host", "127.0.0.1"]
    with open(workdir / "bot.log", "w") as log:  # the child keeps its own handle
        process = subprocess.Popen(
            [*command, "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return process
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit((workdir / "bot.log").read_text()) from None
            time.sleep(0.2)


def send_all(port: int, bodies: list[bytes], concurrency: int) -> tuple[float, list[float]]:
    """Send every body (each client takes the next one); returns (seconds, latencies)."""
    latencies: list[float] = []
    failures: list[str] = []
    cursor = iter(range(len(bodies)))
    lock = threading.Lock()
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while True:
            with lock:
                index = next(cursor, None)
            if index is None:
                break
            began = time.perf_counter()
            conn.request("POST", "/hooks/alertmanager", bodies[index], headers)
            answer = conn.getresponse()
            answer.read()
            mine.append(time.perf_counter() - began)
            if answer.status != 200:
                failures.append(f"{answer.status}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} requests failed: {failures[:5]}")
    return time.perf_counter() - began, latencies


def caught_up(url: str, timeout: float = 600) -> float:
    """Seconds until no group or summary waits for Slack."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    began = time.monotonic()
    with engine.connect() as conn:
        while time.monotonic() - began < timeout:
            waiting = conn.execute(
                text("SELECT count(*) FROM alert_groups WHERE needs_sync")
            ).scalar()
            conn.commit()
            if not waiting:
                break
            time.sleep(0.2)
    engine.dispose()
    return time.monotonic() - began


def run(backend: str, notifications: int, groups: int, concurrency: int) -> list[object]:
    workdir = Path(tempfile.mkdtemp(prefix="bench-alerts-"))
    name = None
    if backend == "sqlite":
        url = f"sqlite:///{workdir / 'bench.db'}"
    else:
        name = f"bench_alerts_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    slack = DemoSlack(show=lambda _line: None)
    channel = slack.add_channel("alerts")
    port = 20000 + os.getpid() % 20000
    bot = start_bot(url, slack, channel, port, workdir)
    try:
        bodies = [payload(i % groups, i // groups) for i in range(notifications)]
        seconds, latencies = send_all(port, bodies, concurrency)
        slack_lag = caught_up(url)
    finally:
        bot.terminate()
        bot.wait(timeout=30)
        slack.close()
        if name is not None:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    ms = [x * 1000 for x in latencies]
    return [
        backend,
        f"{notifications:,}",
        f"{notifications / seconds:,.0f}/s",
        f"{percentile(ms, 0.5):.1f}",
        f"{percentile(ms, 0.99):.1f}",
        f"{max(ms):.0f}",
        f"{slack_lag:.1f} s",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--notifications", type=int, default=10_000)
    parser.add_argument("--groups", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    rows = [
        run(b, args.notifications, args.groups, args.concurrency) for b in args.backends.split(",")
    ]
    print(
        f"{args.notifications:,} notifications over {args.groups} groups, "
        f"{args.concurrency} clients with keep-alive connections"
    )
    headers = ["database", "notifications", "throughput", "p50 ms", "p99 ms", "max ms"]
    print(table([*headers, "Slack caught up after the last"], rows))


if __name__ == "__main__":
    main()
