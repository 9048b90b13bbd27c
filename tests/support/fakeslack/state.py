"""The fake workspace's state: users, conversations, messages, views, files, canvases."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

PERMALINK_HOST = "https://fake.slack.com"


class SlackError(Exception):
    """A Web API error answer: `{"ok": false, "error": code, **extra}` with HTTP 200."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


@dataclass
class Call:
    """One Web API call as the fake saw it and answered it."""

    method: str
    args: dict[str, Any]
    response: dict[str, Any]
    status: int
    at: float
    dropped: bool = False  # the work was done but the client got no answer (drop_answer)

    @property
    def ok(self) -> bool:
        return self.status == 200 and bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        return None if self.ok else self.response.get("error")


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str | None = "UTC"  # None: a profile without a zone (users.info then has no tz fields)
    email: str | None = None
    is_bot: bool = False
    deleted: bool = False

    def to_api(self, team_id: str) -> dict[str, Any]:
        """users.info's `user` object; `tz_offset` is the zone's current offset, as Slack's."""
        offset = ZoneInfo(self.tz).utcoffset(datetime.now()) if self.tz else None
        seconds = int(offset.total_seconds()) if offset is not None else 0
        profile = {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "email": self.email,
            "team": team_id,
            "image_48": f"{PERMALINK_HOST}/avatars/{self.id}_48.png",
            "image_72": f"{PERMALINK_HOST}/avatars/{self.id}_72.png",
        }
        zone = {"tz": self.tz, "tz_label": self.tz, "tz_offset": seconds} if self.tz else {}
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            **zone,
            "profile": {k: v for k, v in profile.items() if v is not None},
            "is_admin": False,
            "is_owner": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": 1700000000,
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    created: int = 1700000000
    creator: str = ""
    is_archived: bool = False
    members: set[str] = field(default_factory=set)
    topic: str = ""
    purpose: str = ""
    topic_set: tuple[str, int] = ("", 0)  # who set the topic, when (epoch seconds)
    purpose_set: tuple[str, int] = ("", 0)
    messages: list[dict[str, Any]] = field(default_factory=list)
    pins: set[str] = field(default_factory=set)
    bookmarks: list[dict[str, Any]] = field(default_factory=list)
    canvas_id: str | None = None
    dm_user: str | None = None

    def find(self, ts: str) -> dict[str, Any] | None:
        """The message (top-level or reply) with this ts, if any."""
        return next((m for m in self.messages if m["ts"] == ts), None)

    def to_api(self, viewer: str) -> dict[str, Any]:
        """The `channel` object of conversations.* answers, as seen by `viewer` (the bot)."""
        if self.is_im:
            return {
                "id": self.id,
                "created": self.created,
                "is_im": True,
                "is_org_shared": False,
                "user": self.dm_user,
                "is_user_deleted": False,
                "priority": 0,
            }
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_group": self.is_private,
            "is_im": False,
            "is_mpim": False,
            "is_private": self.is_private,
            "created": self.created,
            "creator": self.creator,
            "is_archived": self.is_archived,
            "is_general": self.name == "general",
            "unlinked": 0,
            "name_normalized": self.name,
            "is_shared": False,
            "is_ext_shared": False,
            "is_org_shared": False,
            "pending_shared": [],
            "is_pending_ext_shared": False,
            "is_member": viewer in self.members,
            "topic": {
                "value": self.topic,
                "creator": self.topic_set[0],
                "last_set": self.topic_set[1],
            },
            "purpose": {
                "value": self.purpose,
                "creator": self.purpose_set[0],
                "last_set": self.purpose_set[1],
            },
            "previous_names": [],
        }


@dataclass
class UploadedFile:
    id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channels: list[str] = field(default_factory=list)
    completed: bool = False
    deleted: bool = False

    def to_api(self, user: str, created: int) -> dict[str, Any]:
        ext = self.filename.rsplit(".", 1)[-1] if "." in self.filename else "text"
        return {
            "id": self.id,
            "created": created,
            "timestamp": created,
            "name": self.filename,
            "title": self.title or self.filename,
            "mimetype": "text/plain"
            if ext in ("txt", "md", "text")
            else "application/octet-stream",
            "filetype": ext,
            "user": user,
            "size": len(self.content or b""),
            "url_private": f"{PERMALINK_HOST}/files/{user}/{self.id}/{self.filename}",
            "permalink": f"{PERMALINK_HOST}/files/{user}/{self.id}/{self.filename}",
            "channels": list(self.channels),
            "is_public": True,
        }


class IdMaker:
    """Slack-looking ids (C0000000001...) and strictly increasing message timestamps."""

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        # time.time looked up per call, so a test's freezegun also moves message timestamps
        self.clock: Callable[[], float] = clock or (lambda: time.time())
        self._counter = itertools.count(1)
        self._last_micros = 0

    def new(self, prefix: str) -> str:
        return f"{prefix}{next(self._counter):09d}"

    def ts(self) -> str:
        """A message ts from the clock (microsecond resolution), never repeating."""
        micros = max(int(self.clock() * 1_000_000), self._last_micros + 1)
        self._last_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def observe(self, ts: str) -> None:
        """Keep later generated ts after an explicitly chosen one."""
        seconds, _, frac = ts.partition(".")
        micros = int(seconds) * 1_000_000 + int((frac or "0").ljust(6, "0")[:6])
        self._last_micros = max(self._last_micros, micros)


def now_seconds() -> int:
    return int(time.time())
