"""The running app under test: real Bolt app behind waitress, Web API answered by FakeSlack."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from waitress.server import create_server

from bot.alerts.courier import stop as stop_alert_courier
from bot.app import build_app
from bot.clock import utcnow
from bot.config import Settings, load_settings
from bot.db import Database
from bot.models import Outbox
from bot.outbox.worker import DeliveryWorker
from bot.slack.port import Notifier, slack_client
from bot.socket_mode import SocketModeClient
from bot.web import SERVER_OPTIONS, wsgi_app
from bot.wiring import Deps
from handlers.backlog import BoundedExecutor
from tests.support.fakeslack import FakeSlack
from tests.support.slackdriver import SlackDriver
from tests.support.socketdriver import SocketDriver

SIGNING_SECRET = "test-signing-secret"


class Workers(BoundedExecutor):
    """Bolt's worker pool, counting the work handed to it so a test can wait until it is done.

    Bolt hands a request's work (its lazy listeners) to the pool before it answers the HTTP
    request, so once a request has been answered, `wait_idle` covers its work too.
    """

    def __init__(self, max_workers: int, limit: int) -> None:
        super().__init__(max_workers, limit)
        self._busy = 0
        self._changed = threading.Condition()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        with self._changed:
            self._busy += 1
        try:
            future = super().submit(fn, *args, **kwargs)
        except BaseException:
            self._finished(None)
            raise
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future: Future[Any] | None) -> None:
        with self._changed:
            self._busy -= 1
            self._changed.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self._busy == 0, timeout)


class SlackHarness:
    """Signed HTTP into the app; every Web API call lands in `fake` and is recorded.

    With `socket_mode=True` Slack's requests come as envelopes on `fake.socket_mode` instead
    (the app's Socket Mode client dials it, as `serve` does with SLACK_APP_TOKEN)."""

    def __init__(
        self,
        db: Database,
        fake: FakeSlack,
        *,
        socket_mode: bool = False,
        slack_timeout: int = 10,
        **overrides: Any,
    ) -> None:
        self.fake = fake
        self.announce = fake.add_channel("incidents", members=["UBOT"])
        settings: dict[str, Any] = {
            "SLACK_BOT_TOKEN": fake.bot_token,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": fake.api_url,
            "DATABASE_URL": db.url,
            "INCIDENT_ANNOUNCE_CHANNEL": self.announce,
            "OPENAI_API_KEY": None,
            "OPENAI_BASE_URL": None,
        }
        if socket_mode:
            settings["SLACK_APP_TOKEN"] = fake.app_token
        settings.update(overrides)
        self.settings: Settings = load_settings(**settings)
        self.clock: Callable[[], datetime] = utcnow
        client = slack_client(fake.bot_token, fake.api_url, retries=2, timeout=slack_timeout)
        clock = lambda: self.clock()  # noqa: E731 - a test may swap self.clock
        timeout = self.settings.INCIDENT_REMINDER_CLAIM_TIMEOUT
        self.deps = Deps(
            settings=self.settings,
            db=db,
            notifier=Notifier(client),
            clock=clock,
            delivery=DeliveryWorker(db, clock, claim_timeout=timeout),
        )
        self.work = Workers(
            self.settings.INCIDENT_WORKER_THREADS, self.settings.INCIDENT_WORK_QUEUE_MAX
        )
        self.app = build_app(self.deps, executor=self.work)
        self.server = create_server(
            wsgi_app(self.app, self.deps, slack_events=not socket_mode),
            host="127.0.0.1",
            port=0,
            threads=8,
            asyncore_loop_timeout=0.05,
            asyncore_use_poll=True,  # a socket closed by close() ends the loop quietly
            **SERVER_OPTIONS,  # as `serve` runs it
        )
        self.url = f"http://127.0.0.1:{self.server.effective_port}"
        self._thread = threading.Thread(target=self.server.run, daemon=True)
        self._thread.start()
        self.socket_mode: SocketModeClient | None = None
        self.driver: SlackDriver
        if socket_mode:
            self.socket_mode = SocketModeClient(self.app, self.deps.notifier, fake.app_token)
            self.socket_mode.start()
            self.driver = SocketDriver(fake)
        else:
            self.driver = SlackDriver(
                app_url=f"{self.url}/slack/events", signing_secret=SIGNING_SECRET, fake=fake
            )

    def close(self) -> None:
        if self.socket_mode is not None:
            self.socket_mode.stop()  # waits for the envelopes being handled
        self.work.shutdown(wait=True)  # finish work after acks while the fake still answers
        assert self.deps.delivery is not None
        self.deps.delivery.settle(timeout=10)
        self.deps.delivery.stop()
        stop_alert_courier(self.deps)  # and the alert messages being brought up to date
        self.server.close()
        self._thread.join(timeout=5)

    # --- conveniences ---------------------------------------------------------------------
    def idle(self, timeout: float = 10.0) -> None:
        """Wait until the app has finished the work of every request it has answered so far."""
        assert self.work.wait_idle(timeout), f"the app was still working after {timeout}s"
        if self.deps.delivery is not None:  # and what that work recorded has been delivered
            self.deps.delivery.settle(timeout=timeout)

    def command(self, text: str, *, user: str = "U1", channel: str | None = None) -> Any:
        """Type `/incident TEXT`; returns the HTTP response to the slash command."""
        return self.driver.command("/incident", text, user=user, channel=channel or self.announce)

    def change(self, text: str, channel: str, *, user: str = "U1") -> None:
        """Type `/incident TEXT` in an incident channel and wait for a new post there (as a
        person types: one change after another)."""
        before = len(self.posts(channel))
        self.command(text, user=user, channel=channel)
        self.fake.wait_for(lambda f: len(self.posts(channel)) > before, what=text)

    def declare(self, title: str = "Checkout down", *, user: str = "U1", flags: str = "") -> str:
        """Declare and wait for the incident channel; returns its id."""
        before = len(self.fake.calls_to("pins.add"))
        response = self.command(f"declare {flags} {title}".replace("  ", " "), user=user)
        assert response.status == 200
        self.fake.wait_for(lambda f: len(f.calls_to("pins.add")) > before)
        self.fake.wait_for(lambda f: any(" declared: " in t for t in self.ephemerals()))
        channel = str(self.fake.calls_to("pins.add")[-1].args["channel"])
        self.fake.wait_for(lambda f: self.declared(), what="the declaration to finish")
        return channel

    def declared(self) -> bool:
        """Every declaration finished (channel, invite, card, pin, bookmark, topic) or gave up."""
        with self.deps.db.unit_of_work() as session:
            open_rows = session.scalar(
                select(func.count())
                .select_from(Outbox)
                .where(
                    Outbox.kind.in_(("declare", "topic")),
                    Outbox.sent_at.is_(None),
                    Outbox.failed.is_(False),
                )
            )
        return not open_rows

    def card(self, channel: str) -> Any:
        """The chat.postMessage call that posted the incident card in `channel`."""
        return next(
            c
            for c in self.fake.calls_to("chat.postMessage")
            if c.args.get("channel") == channel and "Incident" in str(c.args.get("blocks")) and c.ok
        )

    def forget_replies(self) -> None:
        """Start counting ephemeral replies afresh."""
        self.fake.responses.clear()
        self.fake.calls.clear()

    def ephemerals(self) -> list[str]:
        """Texts sent back to the typist (response_url and chat.postEphemeral), in order."""
        out = [body.get("text", "") for _id, body in self.fake.responses]
        out += [c.args.get("text", "") for c in self.fake.calls_to("chat.postEphemeral")]
        return out

    def wait_reply(self, count: int = 1) -> list[str]:
        self.fake.wait_for(lambda f: len(self.ephemerals()) >= count)
        return self.ephemerals()

    def posts(self, channel: str) -> list[str]:
        return [
            c.args.get("text", "")
            for c in self.fake.calls_to("chat.postMessage")
            if c.args.get("channel") == channel and c.ok  # what people see: accepted posts
        ]
