"""Requests/s and p99 latency of GET /status from a real `incident-bot serve` process.

The database holds 100 ongoing and 10,000 resolved public incidents (resolved over the last
two years, so about 190 fall in the page's 14 days; 2-3 public updates each) and 12
components. `serve` runs under waitress with its default 16 threads; clients keep their
connections open (as browsers and proxies do) and send GET /status as fast as answers come,
for `--seconds` each round. Rounds: plain GETs (the cached page), conditional GETs answered
304, and 200 requests/s offered on a schedule (latency counted from when each request was due), and
that again while a public update is published every second by another process (each publish
invalidates the page, which is rendered again once, on the next request).

    .venv/bin/python bench/status_page.py [--seconds 10] [--clients 16] [--rate 200]
                                          [--database URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _common import ROOT, percentile, table

from bot.db import Database
from bot.demo.slack_standin import DemoSlack
from bot.migrate import upgrade
from bot.models import Incident
from bot.status_models import StatusIncident, StatusUpdate
from bot.statuspage.rules import IMPACTS, public_id

COMPONENTS = [f"Component {n}" for n in range(1, 13)]
_CLOCK = time.perf_counter


def populate(url: str, ongoing: int, resolved: int) -> None:
    db = Database(url)
    upgrade(db)
    now = datetime.now(UTC)
    with db.unit_of_work() as session:
        for n in range(1, ongoing + resolved + 1):
            declared = now - timedelta(minutes=n * 100)
            done = n > ongoing
            incident = Incident(
                number=n,
                title=f"internal title {n}",
                severity="sev2",
                status="resolved" if done else "investigating",
                channel_id=f"CBENCH{n}",
                channel_name=f"inc-{n}",
                declared_by="U1",
                declared_at=declared,
                last_activity_at=declared,
                resolved_at=declared + timedelta(hours=1) if done else None,
                members=[],
            )
            public = StatusIncident(
                public_id=public_id(),
                title=f"Public incident {n}: elevated errors",
                components=[{"name": COMPONENTS[n % 12], "impact": IMPACTS[n % 3]}],
                created_at=declared,
                resolved_at=incident.resolved_at,
            )
            session.add(incident)
            session.flush()
            public.incident_id = incident.id
            session.add(public)
            for k in range(2 + n % 2):
                session.add(
                    StatusUpdate(
                        incident=public,
                        public_id=uuid.uuid4().hex,
                        at=declared + timedelta(minutes=10 * k),
                        status=("investigating", "identified", "monitoring")[k],
                        body=f"Update {k} of incident {n}: what we know and what we do next.",
                    )
                )
            if done:
                session.add(
                    StatusUpdate(
                        incident=public,
                        public_id=uuid.uuid4().hex,
                        at=incident.resolved_at,
                        status="resolved",
                        body="This incident has been resolved.",
                    )
                )
    db.dispose()


def serve(
    url: str, config: Path, stand_in: DemoSlack, workdir: Path, port: int
) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(ROOT),
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SIGNING_SECRET": "bench-secret",
        "SLACK_API_URL": stand_in.api_url,
        "DATABASE_URL": url,
        "INCIDENT_STATUS_PAGE": "true",
        "INCIDENT_CONFIG": str(config),
    }
    command = [sys.executable, "-m", "bot", "serve", "--no-scheduler", "--port", str(port)]
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1"],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "serve.log", "wb"),  # noqa: SIM115 - open as long as the server
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"serve did not start; see {workdir / 'serve.log'}")


def load(
    port: int, seconds: float, clients: int, etag: str | None, rate: float | None = None
) -> tuple[list[float], dict[int, int]]:
    """Latencies (s) of every answered request, and the count of each status. With `rate`,
    the clients together send that many requests per second (on a schedule, each latency
    counted from when its request was due), else as fast as answers come."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    stop = _CLOCK() + seconds
    headers = {"If-None-Match": etag} if etag else {}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        seen: dict[int, int] = {}
        due = _CLOCK()
        while _CLOCK() < stop:
            if rate:
                due += clients / rate
                time.sleep(max(0.0, due - _CLOCK()))
            started = min(due, _CLOCK()) if rate else _CLOCK()
            connection.request("GET", "/status", headers=headers)
            response = connection.getresponse()
            response.read()
            mine.append(_CLOCK() - started)
            seen[response.status] = seen.get(response.status, 0) + 1
        connection.close()
        with lock:
            latencies.extend(mine)
            for status, count in seen.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses


def publisher(url: str, stop: threading.Event) -> None:
    """A public update every second, written as another replica would: to the database."""
    db = Database(url)
    while not stop.wait(1.0):
        with db.unit_of_work() as session:
            public = session.get(StatusIncident, 1)
            assert public is not None
            session.add(
                StatusUpdate(
                    incident=public,
                    public_id=uuid.uuid4().hex,
                    at=datetime.now(UTC),
                    status="identified",
                    body="Another update while readers pile in.",
                )
            )
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument(
        "--rate", type=float, default=200.0, help="offered req/s of the paced rounds"
    )
    parser.add_argument("--database", default=None, help="SQLAlchemy URL (default: SQLite)")
    parser.add_argument("--ongoing", type=int, default=100)
    parser.add_argument("--resolved", type=int, default=10_000)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="incident-bot-bench-"))
    url = args.database or f"sqlite:///{workdir / 'bench.db'}"
    started = _CLOCK()
    populate(url, args.ongoing, args.resolved)
    print(
        f"populated {args.ongoing} ongoing + {args.resolved} resolved in {_CLOCK() - started:.0f}s"
    )
    config = workdir / "incident-bot.yml"
    config.write_text("status_page:\n  components:\n" + "".join(f"    - {c}\n" for c in COMPONENTS))
    stand_in = DemoSlack(show=lambda _line: None)
    port = 20000 + os.getpid() % 20000
    process = serve(url, config, stand_in, workdir, port)
    rows = []
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        first = _CLOCK()
        connection.request("GET", "/status")
        response = connection.getresponse()
        size = len(response.read())
        cold = _CLOCK() - first
        etag = response.getheader("ETag")
        print(f"first (uncached) GET /status: {cold * 1000:.0f} ms, {size // 1024} KiB")
        stop = threading.Event()
        rounds: list[tuple[str, str | None, bool, float | None]] = [
            ("GET /status, as fast as answered", None, False, None),
            ("conditional GET -> 304, as fast as answered", etag, False, None),
            (f"GET /status at {args.rate:.0f} req/s offered", None, False, args.rate),
            ("as above, a publish every second", None, True, args.rate),
        ]
        for label, tag, publishing, rate in rounds:
            writer = threading.Thread(target=publisher, args=(url, stop)) if publishing else None
            if writer:
                writer.start()
            latencies, statuses = load(port, args.seconds, args.clients, tag, rate)
            if writer:
                stop.set()
                writer.join()
            rows.append(
                [
                    label,
                    f"{len(latencies) / args.seconds:.0f}",
                    f"{percentile(latencies, 0.5) * 1000:.1f}",
                    f"{percentile(latencies, 0.99) * 1000:.1f}",
                    ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())),
                ]
            )
    finally:
        process.terminate()
        process.wait(timeout=30)
        stand_in.close()
    print(f"{args.clients} clients, {args.seconds:.0f} s per round, {url.split(':')[0]}")
    print(table(["round", "req/s", "p50 ms", "p99 ms", "answers"], rows))


if __name__ == "__main__":
    main()
