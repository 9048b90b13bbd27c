"""Workflows at declare: 20 matching workflows with 50 steps in all, Slack answering every
call 100 ms late; how long until every step is done, and in how many round trips.

The real app runs under waitress with INCIDENT_CONFIG; the Web API is the test suite's fake
Slack, each call answered `--rtt` seconds after it arrives; a local HTTP server takes the
webhooks. "Beyond the declare" counts from the answer of conversations.create (workflows start
once the channel exists) to the moment the last run was recorded, in round trips of `--rtt`;
the critical path is the longest chain of workflow calls that each began after the previous
one was answered.

    .venv/bin/python bench/workflows.py [--declares 5] [--rtt 0.1]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from _common import table
from declare_latency import Hop, TimedSlack, command
from sqlalchemy import func, select
from waitress.server import create_server

from bot.app import build_app
from bot.config import load_settings
from bot.migrate import upgrade
from bot.models import Incident, WorkflowRun
from bot.web import wsgi_app
from bot.wiring import build_deps

WORKFLOWS = 20
STEPS = 50


def config(hook: str) -> str:
    """20 workflows on `declared` of a sev1 incident, 50 steps in all: 20 bookmarks, 12 posts,
    8 invites (5 of user groups), a checklist, a role, 3 reminders, 3 action items, 2 webhooks."""
    special = (
        [f"invite: {{groups: [S0GROUP{n}]}}" for n in range(5)]
        + [f"invite: {{users: [U{n}]}}" for n in range(5, 8)]
        + ["checklist: {title: First steps, tasks: [Check lag, Freeze deploys]}"]
        + ["assign_role: {role: scribe, user: U9}"]
        + [f'remind: {{after: 30m, text: "Reminder {n}"}}' for n in range(3)]
        + [f'action_item: {{text: "Follow-up {n}", due: 5 working days}}' for n in range(3)]
        + [f'webhook: {{url: "{hook}"}}' for _ in range(2)]
        + [f'post: {{text: "Note {n} on incident {{{{ incident.number }}}}"}}' for n in range(2)]
    )
    lines = ["incident_types:", "  database: {}", "workflows:"]
    for n in range(WORKFLOWS):
        steps = [
            f'      - bookmark: {{title: "Link {n}", url: "https://example.com/{n}"}}',
            f"      - {special[n]}",
        ]
        if n < 10:
            steps.append(f'      - post: {{text: "Workflow {n} for {{{{ incident.title }}}}"}}')
        lines += [f"  flow-{n}:", "    trigger: declared", "    when: {severity: sev1}"]
        lines += ["    steps:", *steps]
    assert sum(line.startswith("      - ") for line in lines) == STEPS
    return "\n".join(lines) + "\n"


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(float(self.server.rtt))  # type: ignore[attr-defined]
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


def finished(deps: Any, number: int) -> int:
    with deps.db.unit_of_work() as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(WorkflowRun)
                .join(Incident, Incident.id == WorkflowRun.incident_id)
                .where(Incident.number == number, WorkflowRun.finished_at.is_not(None))
            )
            or 0
        )


def depth(hops: list[Hop], start: float) -> int:
    """Round trips on the critical path of calls that began after `start`."""
    memo: list[tuple[Hop, int]] = []
    for hop in sorted((h for h in hops if h.start >= start - 0.005), key=lambda h: h.start):
        before = [d for h, d in memo if h.end <= hop.start + 0.005]
        memo.append((hop, 1 + max(before, default=0)))
    return max((d for _h, d in memo), default=0)


def run(declares: int, rtt: float) -> list[tuple[float, float, int]]:
    fake = TimedSlack(rtt).start()
    announce = fake.add_channel("incidents", members=["UBOT"])
    for n in range(20):
        fake.add_user(f"U{n}")
    for n in range(5):
        fake.add_usergroup(f"S0GROUP{n}", [f"U1{n}", f"U{n}"])
    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    hook.rtt = rtt  # type: ignore[attr-defined]
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    workdir = Path(tempfile.mkdtemp(prefix="workflow-bench-"))
    path = workdir / "incident-bot.yml"
    path.write_text(config(f"http://127.0.0.1:{hook.server_address[1]}/hook"))
    settings = load_settings(
        SLACK_BOT_TOKEN=fake.bot_token,
        SLACK_SIGNING_SECRET="bench-secret",
        SLACK_API_URL=fake.api_url,
        DATABASE_URL=f"sqlite:///{workdir / 'bench.db'}",
        INCIDENT_ANNOUNCE_CHANNEL=announce,
        INCIDENT_CONFIG=str(path),
        OPENAI_API_KEY=None,
    )
    deps = build_deps(settings)
    upgrade(deps.db)
    server = create_server(wsgi_app(build_app(deps), deps), host="127.0.0.1", port=0, threads=8)
    threading.Thread(target=server.run, daemon=True).start()
    results = []
    for n in range(1, declares + 1):
        t0 = time.time()
        url = fake.response_url(f"d{n}")
        command(server.effective_port, f"declare sev1 type:database Bench {n}", url)
        deadline = time.monotonic() + 60
        while finished(deps, n) < WORKFLOWS:
            if time.monotonic() > deadline:
                raise SystemExit(f"declare {n}: only {finished(deps, n)} workflows finished")
            time.sleep(0.005)
        done = time.time()
        with fake.lock:
            calls = list(fake.calls)
        create = next(
            c for c in calls
            if c.method == "conversations.create" and c.args["name"].startswith(f"inc-{n}-")
        )  # fmt: skip
        hops = [Hop(c.method, c.at - rtt, c.at) for c in calls if c.at > create.at]
        workflow_calls = [h for h in hops if h.end <= done]
        trips = depth(workflow_calls, create.at)
        results.append(((done - t0) * 1000, (done - create.at) / rtt, trips))
        time.sleep(rtt * 3)
    server.close()
    fake.stop()
    hook.shutdown()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--declares", type=int, default=5)
    parser.add_argument("--rtt", type=float, default=0.1)
    args = parser.parse_args()
    results = run(args.declares, args.rtt)
    print(f"{WORKFLOWS} workflows, 50 steps, Slack answering after {args.rtt * 1000:.0f} ms")
    rows = [
        [
            "all steps done",
            f"{statistics.median(r[0] for r in results):,.0f}",
            f"{statistics.median(r[1] for r in results):.1f}",
            f"{statistics.median(r[2] for r in results):.0f}",
        ]
    ]
    print(table(["", "ms after the command", "rtt after the channel", "round trips"], rows))


if __name__ == "__main__":
    main()
