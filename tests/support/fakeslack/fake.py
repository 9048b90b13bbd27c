"""FakeSlack: the fake workspace and Web API served over HTTP on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from .blocks import MAX_MESSAGE_BLOCKS, check_blocks
from .dispatch import WebApi
from .server import FakeSlackServer
from .state import Channel, User
from .workspace import _real_monotonic

if TYPE_CHECKING:
    from .socket_mode import SocketModeServer

MANIFEST = Path(__file__).resolve().parents[3] / "manifest.yml"


def manifest_bot_scopes(path: Path = MANIFEST) -> set[str] | None:
    """The bot scopes manifest.yml grants, or None when there is no manifest."""
    if not path.exists():
        return None
    import yaml  # dev dependency; imported here so the fake works without a manifest

    data = yaml.safe_load(path.read_text()) or {}
    return set(((data.get("oauth_config") or {}).get("scopes") or {}).get("bot") or [])


class FakeSlack(WebApi):
    """The Slack Web API on 127.0.0.1, stateful, checking every call against Slack's reference.

    Message ts come from `clock` (default: time.time at each call, so freezegun moves them).
    `scopes="manifest"` (default) grants the bot scopes listed in manifest.yml, so a call the
    manifest does not cover fails with `missing_scope` as in production; pass an iterable of
    scopes to choose, or None to skip scope checks. `rate_limits=True` enforces Slack's rate
    limits (see enforce_rate_limits). `app_token` is the app-level token apps.connections.open
    takes; `fake.socket_mode` is the Socket Mode server its URLs point to.
    """

    def __init__(
        self,
        bot_token: str = "xoxb-test-token",
        team_id: str = "T0TEST",
        bot_user_id: str = "UBOT",
        bot_id: str = "BBOT",
        scopes: Iterable[str] | str | None = "manifest",
        clock: Callable[[], float] | None = None,
        rate_limits: bool = False,
        app_token: str = "xapp-1-A0FAKEAPP1-1-test",
    ) -> None:
        super().__init__(bot_token, team_id, bot_user_id, bot_id, clock)
        self.app_token = app_token
        if scopes == "manifest":
            self.granted_scopes = manifest_bot_scopes()
        else:
            self.granted_scopes = None if scopes is None else set(scopes)
        self._server: FakeSlackServer | None = None
        self._socket_mode: SocketModeServer | None = None
        if rate_limits:
            self.enforce_rate_limits()

    # ---- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        """Start serving on an ephemeral port; returns self."""
        self._server = FakeSlackServer(self)
        self._server.start()
        self.base_url = self._server.root_url
        return self

    def stop(self) -> None:
        """Stop serving (idempotent)."""
        if self._socket_mode is not None:
            self._socket_mode.stop()
            self._socket_mode = None
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def api_url(self) -> str:
        """Base URL for WebClient(base_url=...): http://127.0.0.1:PORT/api/"""
        if not self.base_url:
            raise RuntimeError("FakeSlack is not started")
        return f"{self.base_url}api/"

    @property
    def socket_mode(self) -> SocketModeServer:
        """Slack's Socket Mode side, started on first use (apps.connections.open starts it)."""
        with self.lock:
            if self._socket_mode is None:
                from .socket_mode import SocketModeServer  # needs `websockets`; only loaded here

                self._socket_mode = SocketModeServer(self.app_id, self.violation).start()
            return self._socket_mode

    def socket_mode_url(self) -> str:
        return self.socket_mode.new_url()

    # ---- world building --------------------------------------------------------------------
    def add_user(
        self,
        uid: str,
        name: str | None = None,
        tz: str | None = "UTC",
        real_name: str | None = None,
        email: str | None = None,
        is_bot: bool = False,
    ) -> User:
        """Add (or replace) a workspace member that users.info and invites know about."""
        name = name or uid.lower()
        email = email or f"{name}@example.com"
        user = User(uid, name, real_name or name.title(), tz, email, is_bot)
        with self.lock:
            self.users[uid] = user
        return user

    def add_usergroup(self, gid: str, members: Iterable[str]) -> str:
        """A user group (S…) whose members usergroups.users.list names."""
        with self.lock:
            self.usergroups[gid] = list(members)
        return gid

    def add_channel(
        self,
        name: str,
        is_private: bool = False,
        members: Iterable[str] | None = None,
        bot_is_member: bool = True,
    ) -> str:
        """Add a channel people made; members default to every human user. Returns its id."""
        with self.lock:
            cid = self.ids.new("C")
            ch = Channel(cid, name.removeprefix("#"), is_private=is_private, creator="U1")
            humans = [u.id for u in self.users.values() if not u.is_bot]
            ch.members = set(humans if members is None else members)
            if bot_is_member:
                ch.members.add(self.bot_user_id)
            self.channels[cid] = ch
            return cid

    def add_message(
        self,
        channel: str,
        user: str,
        text: str,
        ts: str | None = None,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
        bot_id: str | None = None,
        blocks: list[dict[str, Any]] | None = None,
    ) -> str:
        """Store a message typed by a person (or another bot) and return its ts."""
        with self.lock:
            ch = self.channel(channel, allow_name=True)
            if ts is None:
                ts = self.ids.ts()
            else:
                self.ids.observe(ts)
            msg: dict[str, Any] = {"type": "message", "user": user, "text": text, "ts": ts}
            msg["team"] = self.team_id
            optional = {"thread_ts": thread_ts, "files": files, "bot_id": bot_id, "blocks": blocks}
            msg.update({k: v for k, v in optional.items() if v})
            self.store(ch, msg)
            return ts

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """A snapshot of a conversation's messages (by id or name), oldest first."""
        with self.lock:
            return [dict(m) for m in self.channel(channel, allow_name=True).messages]

    # ---- assertions ------------------------------------------------------------------------
    def assert_no_violations(self) -> None:
        """Fail listing every recorded violation of Slack's reference, if any."""
        with self.lock:
            if self.violations:
                listed = "\n  ".join(self.violations)
                raise AssertionError(f"Slack reference violations:\n  {listed}")

    def wait_for(
        self, predicate: Callable[[FakeSlack], Any], timeout: float = 5.0, what: str = ""
    ) -> Any:
        """Poll until predicate(fake) is truthy and return its value; else fail with a dump.

        The predicate runs under the fake's lock: it may read state but must not call the fake
        over HTTP.
        """
        deadline = _real_monotonic() + timeout
        while True:
            with self.lock:
                try:
                    value = predicate(self)
                except (LookupError, AttributeError):
                    value = None  # what is waited for does not exist yet
            if value:
                return value
            if _real_monotonic() > deadline:
                waited = what or getattr(predicate, "__name__", "predicate")
                raise AssertionError(
                    f"timed out after {timeout}s waiting for {waited}\n{self.dump()}"
                )
            time.sleep(0.01)

    def dump(self, last: int = 30) -> str:
        """A readable summary of recent calls, violations and response_url posts."""
        with self.lock:
            calls = self._calls[-last:]
            lines = [f"last {len(calls)} of {len(self._calls)} Web API calls:"]
            for c in calls:
                brief = {k: v for k, v in c.args.items() if k in ("channel", "name", "users", "ts")}
                text = str(c.args.get("text", ""))[:80]
                outcome = "ok" if c.ok else f"{c.status} {c.error}"
                outcome += " (answer dropped)" if c.dropped else ""
                lines.append(f"  {c.method} {brief} {text!r} -> {outcome}")
            lines.append(f"violations: {self.violations or 'none'}")
            posts = [(i, str(b.get("text", ""))[:60]) for i, b in self.responses]
            lines.append(f"response_url posts: {posts}")
            return "\n".join(lines)

    # ---- response_url ----------------------------------------------------------------------
    def response_url(self, url_id: str) -> str:
        """A response_url on the fake; what the app posts there lands in `fake.responses`."""
        return f"{self.base_url}response/{url_id}"

    def receive_response(self, url_id: str, body: bytes) -> tuple[int, str]:
        """Record a post to a response_url (Bolt's respond()), checking its blocks."""
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            self.violation(f"response_url {url_id}: body is not JSON")
            return 400, "invalid_payload"
        for problem in check_blocks(payload.get("blocks"), MAX_MESSAGE_BLOCKS, "response_url"):
            self.violation(problem)
        with self.lock:
            self.responses.append((url_id, payload))
        return 200, "ok"
