"""Workspace state shared by the method handlers, plus the handler registry."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable
from typing import Any

from .state import Channel, IdMaker, SlackError, UploadedFile, User

JSON_ARGS = (
    "blocks",
    "attachments",
    "view",
    "files",
    "changes",
    "document_content",
    "metadata",
    "unfurled_attachments",
)
Handler = Callable[["Workspace", "Args"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}

DEFAULT_USERS = [
    ("U1", "alice", "Alice Archer", "Europe/Berlin"),
    ("U2", "bob", "Bob Baker", "America/New_York"),
    ("U3", "carol", "Carol Chen", "Asia/Tokyo"),
    ("U4", "dave", "Dave Diaz", "UTC"),
    ("U5", "erin", "Erin Evans", "Australia/Sydney"),
]


def api(method: str) -> Callable[[Handler], Handler]:
    """Register a handler for a Web API method."""

    def register(fn: Handler) -> Handler:
        HANDLERS[method] = fn
        return fn

    return register


class Args(dict[str, Any]):
    """A call's arguments with Slack's loose typing (form strings or JSON values) smoothed."""

    @classmethod
    def parse(cls, raw: dict[str, Any]) -> Args:
        args = cls(raw)
        for key in JSON_ARGS:
            value = args.get(key)
            if isinstance(value, str) and value.strip()[:1] in ("[", "{"):
                with contextlib.suppress(json.JSONDecodeError):
                    args[key] = json.loads(value)
        return args

    def str(self, key: str, default: str = "") -> str:
        value = self.get(key)
        return default if value is None else str(value)

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.get(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        return str(value).lower() in ("1", "true", "yes")

    def int(self, key: str, default: int) -> int:
        try:
            return int(self.get(key, default))
        except (TypeError, ValueError):
            return default

    def csv(self, key: str) -> list[str]:
        value = self.get(key) or ""
        items = value if isinstance(value, list) else str(value).split(",")
        return [s.strip() for s in items if s and s.strip()]


class Workspace:
    """Everything the fake Slack knows. Guard all access with `self.lock`."""

    def __init__(
        self,
        bot_token: str,
        team_id: str,
        bot_user_id: str,
        bot_id: str,
        clock: Callable[[], float] | None = None,
    ) -> None:
        self.bot_token = bot_token
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self.bot_id = bot_id
        self.app_id = "A0FAKEAPP1"
        self.base_url = ""  # the fake's root URL once it is serving
        self.next_channel_id: str | None = None  # id the next conversations.create hands out
        self.lock = threading.RLock()
        self.ids = IdMaker(clock)
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.views: dict[str, dict[str, Any]] = {}
        self.home_views: dict[str, dict[str, Any]] = {}
        self.files: dict[str, UploadedFile] = {}
        self.canvases: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, list[str]] = {}  # user group ID (S…) -> member user IDs
        self.ephemerals: list[dict[str, Any]] = []
        self.violations: list[str] = []
        self.responses: list[tuple[str, dict[str, Any]]] = []
        self.granted_scopes: set[str] | None = None
        self.trigger_ttl: float | None = 3.0
        self.triggers: dict[str, float] = {}
        self.trigger_users: dict[str, str] = {}
        self.trigger_views: dict[str, str] = {}
        self.view_owners: dict[str, str] = {}
        self.received_at: float | None = None  # when the call being answered arrived
        self.used_triggers: set[str] = set()
        self.users[bot_user_id] = User(bot_user_id, "incident-bot", "incident-bot", is_bot=True)
        for uid, name, real, tz in DEFAULT_USERS:
            self.users[uid] = User(uid, name, real, tz, email=f"{name}@example.com")

    @property
    def clock(self) -> Callable[[], float]:
        return self.ids.clock

    @clock.setter
    def clock(self, fn: Callable[[], float]) -> None:
        self.ids.clock = fn

    def violation(self, text: str) -> None:
        with self.lock:
            self.violations.append(text)

    def user(self, uid: str) -> User:
        found = self.users.get(uid)
        if found is None or found.deleted:
            raise SlackError("user_not_found")
        return found

    def channel(self, ref: str, allow_name: bool = False) -> Channel:
        """The conversation with this id (or `#name`/name when the method accepts names)."""
        if ref in self.channels:
            return self.channels[ref]
        if allow_name:
            name = ref.removeprefix("#")
            for ch in self.channels.values():
                if ch.name == name and not ch.is_im:
                    return ch
            if ref in self.users:
                return self.dm_with(ref)
        raise SlackError("channel_not_found")

    def channel_by_name(self, name: str) -> Channel | None:
        """The channel called `name` (with or without '#'), if any."""
        name = name.removeprefix("#")
        return next((c for c in self.channels.values() if c.name == name and not c.is_im), None)

    def dm_with(self, uid: str) -> Channel:
        """The bot's DM with a user, opened on first use."""
        for ch in self.channels.values():
            if ch.is_im and ch.dm_user == uid:
                return ch
        self.user(uid)
        cid = self.ids.new("D")
        ch = Channel(cid, cid, is_im=True, creator=uid, dm_user=uid)
        ch.members = {uid, self.bot_user_id}
        self.channels[cid] = ch
        return ch

    def conversation_kind(self, ch: Channel) -> str:
        return "im" if ch.is_im else "private" if ch.is_private else "public"

    def require_member(self, ch: Channel) -> None:
        """Slack's `not_in_channel` for a private conversation the bot is not in."""
        if ch.is_private and self.bot_user_id not in ch.members:
            raise SlackError("not_in_channel")

    def new_trigger_id(self, user: str | None = None, view_id: str | None = None) -> str:
        """A trigger_id as Slack puts in an interaction payload, valid for `trigger_ttl` s."""
        with self.lock:
            tid = f"{int(time.time())}.{self.team_id}.{self.ids.new('')}"
            self.triggers[tid] = _real_monotonic()
            if user:
                self.trigger_users[tid] = user
            if view_id:
                self.trigger_views[tid] = view_id
            return tid

    def use_trigger(self, tid: str) -> None:
        """Spend a trigger_id, answering Slack's errors for unknown, reused or expired ones."""
        if tid not in self.triggers:
            raise SlackError("invalid_trigger_id")
        if tid in self.used_triggers:
            raise SlackError("exchanged_trigger_id")
        age = (self.received_at or _real_monotonic()) - self.triggers[tid]
        if self.trigger_ttl is not None and age > self.trigger_ttl:
            self.violation(f"trigger_id used after {age:.1f}s (Slack allows {self.trigger_ttl}s)")
            raise SlackError("expired_trigger_id")
        self.used_triggers.add(tid)

    def bot_message(self, args: Args, ts: str) -> dict[str, Any]:
        """The stored form of a message the bot posted."""
        msg: dict[str, Any] = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "text": args.str("text") or args.str("markdown_text"),
            "ts": ts,
            "team": self.team_id,
            "bot_profile": {"id": self.bot_id, "app_id": self.app_id, "name": "incident-bot"},
        }
        for key in ("blocks", "attachments", "metadata"):
            if args.get(key):
                msg[key] = args[key]
        return msg

    def store(self, ch: Channel, msg: dict[str, Any]) -> dict[str, Any]:
        """Add a message to a conversation, threading it under its parent when it is a reply."""
        thread_ts = msg.get("thread_ts")
        parent = ch.find(thread_ts) if thread_ts and thread_ts != msg["ts"] else None
        if parent is not None:
            parent["thread_ts"] = thread_ts
            parent["reply_count"] = parent.get("reply_count", 0) + 1
            parent["latest_reply"] = msg["ts"]
            users = parent.setdefault("reply_users", [])
            if msg.get("user") and msg["user"] not in users:
                users.append(msg["user"])
            msg.setdefault("parent_user_id", parent.get("user"))
        ch.messages.append(msg)
        return msg


_CLOCKS = {"monotonic": time.monotonic}  # held in a dict so freezegun leaves it real


def _real_monotonic() -> float:
    return _CLOCKS["monotonic"]()
