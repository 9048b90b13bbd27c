"""`incident-bot demo`: the whole lifecycle on embedded defaults, printed for a terminal."""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Executor, Future
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from slack_sdk.signature import SignatureVerifier

from bot import export
from bot.app import build_app, dispatch
from bot.config import load_settings
from bot.demo.guided import demo_config, guided_story
from bot.demo.slack_standin import PROFILES, DemoSlack
from bot.incidents.lifecycle import by_number
from bot.migrate import upgrade
from bot.scheduling.runner import run_due
from bot.slack import ids
from bot.wiring import build_deps

SECRET = "demo-signing-secret"
ALICE, BOB, CAROL, DAN = "U0ALICE", "U0BOB", "U0CAROL", "U0DAN"
FIX = "Rolled back release 4.2; the EU pods came back healthy"


class InlineExecutor(Executor):
    """Runs submitted work at once, in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # the future carries it, as a pool's would
            future.set_exception(exc)
        return future


class DemoRun:
    """Types commands as people would and lets the real Bolt app answer them."""

    def __init__(self, database_url: str | None) -> None:
        self.slack = DemoSlack()
        self.announce = self.slack.add_channel("incidents")
        workdir = Path(tempfile.mkdtemp(prefix="incident-bot-demo-"))
        self.settings = load_settings(
            SLACK_BOT_TOKEN="xoxb-demo",
            SLACK_SIGNING_SECRET=SECRET,
            SLACK_API_URL=self.slack.api_url,
            DATABASE_URL=database_url or f"sqlite:///{workdir / 'demo.db'}",
            INCIDENT_ANNOUNCE_CHANNEL=self.announce,
            OPENAI_API_KEY=None,
            INCIDENT_CONFIG=demo_config(workdir, self.slack.hook_url),
            INCIDENT_WORKFLOW_WEBHOOK_SECRET="demo-webhook-secret-0123",
        )
        self.deps = build_deps(self.settings)
        upgrade(self.deps.db)
        # Work after each ack runs inline, so the story prints in order.
        self.app = build_app(self.deps, executor=InlineExecutor())
        self.verifier = SignatureVerifier(SECRET)
        self._n = 0

    def say(self, text: str) -> None:
        print(f"\n{text}")

    def command(self, user: str, channel: str, text: str) -> None:
        who = self.slack.readable(f"<@{user}>")
        where = self.slack.readable(f"<#{channel}>")
        print(f"\n» {who} in {where}: /incident {text}")
        self._n += 1
        body = urlencode(
            {
                "command": "/incident",
                "text": text,
                "user_id": user,
                "channel_id": channel,
                "team_id": "T0DEMO",
                "trigger_id": f"demo.{self._n}",
                "response_url": self.slack.response_url(str(self._n)),
            }
        )
        _status, answer = dispatch(self.app, body, self.headers(body))
        if answer:
            payload = json.loads(answer)
            self.slack._print("only you see", self.slack.render(payload))
        self.settle()

    def settle(self) -> None:
        """Let the delivery worker post what the command recorded, so the story prints in order."""
        if self.deps.delivery is not None:
            self.deps.delivery.settle(timeout=30)

    def react(self, user: str, channel: str, ts: str, reaction: str = "pushpin") -> None:
        """A person adds a reaction: Slack sends the app a signed `reaction_added` event."""
        who = self.slack.readable(f"<@{user}>")
        print(f"\n» {who} reacts :{reaction}: to that message")
        self._event(
            {
                "type": "reaction_added",
                "user": user,
                "reaction": reaction,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "item_user": CAROL,
                "event_ts": ts,
            }
        )

    def join(self, user: str, channel: str) -> None:
        """A person joins the channel: Slack sends the app `member_joined_channel`."""
        who, where = self.slack.readable(f"<@{user}>"), self.slack.readable(f"<#{channel}>")
        print(f"\n» {who} joins {where}")
        self._event({"type": "member_joined_channel", "user": user, "channel": channel})

    def submit(self, user: str, callback_id: str, channel: str, values: dict[str, str]) -> None:
        """A person fills in the modal that just opened and presses its submit button."""
        print(f"\n» {self.slack.readable(f'<@{user}>')} fills in the modal: {values}")
        state = {
            block: {block: {"type": "plain_text_input", "value": value}}
            for block, value in values.items()
        }
        view = {
            "id": "V0DEMO",
            "type": "modal",
            "callback_id": callback_id,
            "private_metadata": json.dumps({"channel": channel}),
            "state": {"values": state},
        }
        payload = {
            "type": "view_submission",
            "team": {"id": "T0DEMO"},
            "user": {"id": user, "team_id": "T0DEMO"},
            "api_app_id": "A0DEMO",
            "view": view,
        }
        body = urlencode({"payload": json.dumps(payload)})
        dispatch(self.app, body, self.headers(body))
        self.settle()

    def _event(self, event: dict[str, Any]) -> None:
        self._n += 1
        body = json.dumps(
            {
                "type": "event_callback",
                "team_id": "T0DEMO",
                "api_app_id": "A0DEMO",
                "event_id": f"Ev{self._n:08d}",
                "event_time": int(time.time()),
                "event": event,
            }
        )
        headers = self.headers(body) | {"content-type": "application/json"}
        dispatch(self.app, body, headers)
        self.settle()

    def headers(self, body: str) -> dict[str, str]:
        stamp = str(int(time.time()))
        signature = self.verifier.generate_signature(timestamp=stamp, body=body)
        return {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": stamp,
            "x-slack-signature": signature,
        }

    def channel_of(self, number: int) -> str:
        with self.deps.db.unit_of_work() as session:
            return by_number(session, number).channel_id

    def close(self) -> None:
        if self.deps.delivery is not None:
            self.deps.delivery.stop()
        self.slack.close()
        self.deps.db.dispose()


def run_demo(database_url: str | None = None) -> int:
    demo = DemoRun(database_url)
    now = demo.deps.clock()
    berlin = ZoneInfo(PROFILES[ALICE][1])  # alice's Slack zone: the times she types are read there
    ago = lambda minutes: (now - timedelta(minutes=minutes)).astimezone(berlin).strftime("%H:%M")  # noqa: E731
    try:
        print("incident-bot demo — SQLite, a local stand-in for Slack, deterministic drafting.")
        print(f"Database: {demo.settings.DATABASE_URL}")
        demo.say("── 1. Declare ─────────────────────────────────────────────")
        demo.command(ALICE, demo.announce, "declare sev2 Checkout returns 500s for EU customers")
        channel = demo.channel_of(1)
        demo.say("── 2. During the incident ────────────────────────────────")
        demo.say(
            "(alice's Slack time zone is Europe/Berlin, so the times she types are read there;\n"
            " the channel shows each time in every reader's own zone — this terminal: UTC.)"
        )
        demo.command(ALICE, channel, f"started at {ago(40)}")
        demo.command(ALICE, channel, f"detected at {ago(30)}")
        demo.command(ALICE, channel, "role scribe <@U0BOB|bob>")
        demo.command(BOB, channel, "acknowledged")
        demo.command(BOB, channel, "note Error rate 38% on /checkout, only eu-west-1")
        demo.command(
            ALICE, channel, "decision Roll back release 4.2 because errors began with its deploy"
        )
        said = demo.slack.add_message(
            channel, CAROL, "Grafana: checkout-api p99 latency 12s since the 4.2 deploy"
        )
        demo.react(BOB, channel, said)
        _keeping_everyone_informed(demo, channel)
        demo.command(CAROL, channel, "status bogus")
        demo.command(ALICE, channel, "mitigated")
        demo.say("── 3. Resolve: what fixed it? ─────────────────────────────")
        if demo.settings.config_path:  # the example config requires a region first
            demo.command(ALICE, channel, f"resolved {FIX}")
            demo.command(ALICE, channel, "set region eu-west")
        demo.command(ALICE, channel, "resolved")
        demo.submit(ALICE, ids.RESOLVE_MODAL, channel, {ids.RESOLUTION_INPUT: FIX})
        demo.command(ALICE, channel, "timeline")
        _extras(demo, channel)
        if demo.settings.config_path:
            guided_story(demo, ALICE, BOB)
        demo.say("── Export (incident-bot export 1 --format json, abridged) ──")
        _print_export(demo)
    finally:
        demo.close()
    return 0


def _keeping_everyone_informed(demo: DemoRun, channel: str) -> None:
    """Summary, a subscriber outside the channel, an escalation, an update, a late joiner."""
    demo.say("── Keeping everyone informed ──────────────────────────────")
    demo.command(ALICE, channel, "summary Release 4.2 broke checkout in eu-west-1")
    demo.command(CAROL, demo.announce, "subscribe 1")
    demo.command(ALICE, channel, "severity sev1")
    demo.command(ALICE, channel, "status identified")
    demo.command(
        ALICE, channel, "update Rolling back 4.2; about a third of EU checkouts still fail"
    )
    demo.join(DAN, channel)


def _extras(demo: DemoRun, channel: str) -> None:
    """After the incident: postmortem, follow-ups with time moved forward, stats."""
    demo.say("── 4. Postmortem (deterministic: no OPENAI_API_KEY) ───────")
    demo.command(ALICE, channel, "postmortem")
    for file_id, content in demo.slack.uploads.items():
        lines = content.decode(errors="replace").splitlines()
        # Up to the decisions, then the footnotes the citations point to.
        shown = lines[: lines.index("## Key decisions")] if "## Key decisions" in lines else lines
        notes = [line for line in lines if line.startswith("[^")]
        print(f"\n  [file {file_id}: {len(shown)} of its {len(lines)} lines, then its footnotes]")
        print("\n".join("  ▏ " + line for line in [*shown, "…", *notes]))
    demo.slack.uploads.clear()

    demo.say("── 5. Follow-ups ───────────────────────────────────────────")
    demo.command(
        ALICE,
        channel,
        "action Add a canary stage to the checkout deploy <@U0BOB|bob> due next friday",
    )
    demo.command(ALICE, channel, "action Alert on checkout p99 latency due in 9 days")
    demo.command(ALICE, channel, "action Write the rollback runbook due someday")
    demo.command(BOB, demo.announce, "actions mine")
    now = demo.deps.clock()
    # The weekly digest (Monday 09:00, INCIDENT_TIMEZONE), then bob's reminder: 09:00 in his
    # own zone, the working day before AI-1 falls due.
    new_york = ZoneInfo(PROFILES[BOB][1])
    for moment in (_next_digest(now, demo.settings.zone), _day_before_next_friday(now, new_york)):
        demo.say(f"⏩ time moves forward to {moment.strftime('%a %Y-%m-%d %H:%M %Z')}")
        for line in run_due(demo.deps, moment.astimezone(UTC)):
            print(f"  [scheduler] sent {line}")
    demo.slack.uploads.clear()

    demo.say("── 6. Stats ────────────────────────────────────────────────")
    demo.command(ALICE, demo.announce, "stats all")


def _next_digest(now: datetime, zone: ZoneInfo) -> datetime:
    """A minute after the next weekly digest time (INCIDENT_DIGEST_SCHEDULE's default)."""
    local = now.astimezone(zone)
    days = (7 - local.weekday()) % 7 or 7
    return (local + timedelta(days=days)).replace(hour=9, minute=1, second=0, microsecond=0)


def _day_before_next_friday(now: datetime, zone: ZoneInfo) -> datetime:
    """09:05 on the Thursday of next week in `zone` (what `due next friday` reminds on)."""
    local = now.astimezone(zone)
    thursday = local.date() + timedelta(days=7 - local.weekday() + 3)
    return datetime.combine(thursday, datetime.min.time(), tzinfo=zone).replace(hour=9, minute=5)


def _print_export(demo: DemoRun) -> None:
    with demo.deps.db.unit_of_work() as session:
        data: dict[str, Any] = export.incident_dict(export.load(session, "1")[0])
    data["timeline"] = f"[{len(data['timeline'])} entries]"
    print(json.dumps(data, indent=2))
