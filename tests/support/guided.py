"""INCIDENT_CONFIG files for the guided-response tests, and the running app on one."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.models import Incident, TimelineEntry
from tests.support.harness import SlackHarness

TYPES_AND_FIELDS = """\
incident_types:
  database:
    description: Databases and storage
    default_severity: sev2
  security:
    description: Suspected breach
custom_fields:
  region:
    kind: select
    options: [eu-west, us-east]
    required: resolve
  services:
    kind: multi_select
    options: [api, web, payments]
  ticket:
    kind: url
  owner:
    kind: user
"""


def start(
    make_slack: Callable[..., SlackHarness], tmp_path: Path, text: str, **overrides: Any
) -> SlackHarness:
    """The app with INCIDENT_CONFIG holding `text`."""
    path = tmp_path / "incident-bot.yml"
    path.write_text(text)
    return make_slack(INCIDENT_CONFIG=str(path), **overrides)


def incident(slack: SlackHarness, number: int = 1) -> Incident:
    with slack.deps.db.unit_of_work() as session:
        found = session.scalars(select(Incident).where(Incident.number == number)).one()
        found.timeline  # noqa: B018 - loaded before the session closes
        return found


def entries(slack: SlackHarness, kind: str | None = None) -> list[TimelineEntry]:
    with slack.deps.db.unit_of_work() as session:
        query = select(TimelineEntry).order_by(TimelineEntry.id)
        if kind is not None:
            query = query.where(TimelineEntry.kind == kind)
        return list(session.scalars(query))


def card(slack: SlackHarness, channel: str) -> str:
    """The card as Slack shows it now: its last accepted chat.update, else its post."""
    card_ts = slack.fake.calls_to("pins.add")[-1].args["timestamp"]
    updates = [c for c in slack.fake.calls_to("chat.update") if c.args["ts"] == card_ts and c.ok]
    if updates:
        return json.dumps(updates[-1].args["blocks"])
    return json.dumps(slack.card(channel).args.get("blocks"))


def reply_after(slack: SlackHarness, typed: str, channel: str, user: str = "U1") -> str:
    """Type a command and return the one ephemeral line it got."""
    before = len(slack.ephemerals())
    slack.command(typed, channel=channel, user=user)
    slack.fake.wait_for(lambda f: len(slack.ephemerals()) > before, what=f"a reply to {typed}")
    return slack.ephemerals()[-1]


class WebhookTarget:
    """A local HTTP server that records POSTs and answers `status` (a test may change it)."""

    def __init__(self, status: int = 200) -> None:
        self.status = status
        self.received: list[tuple[dict[str, str], bytes]] = []
        target = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                target.received.append((dict(self.headers.items()), body))
                self.send_response(target.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
