"""Asking Slack what an earlier attempt did, when its answer was lost.

A post whose answer never came may or may not be in the channel; a channel whose creation
timed out may or may not exist. These look: tagged posts by their message metadata
(conversations.history with include_all_metadata), channels by their deterministic name
(conversations.list), bookmarks by their title (bookmarks.list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.slack.calls import EVENT_TYPE
from bot.slack.port import Notifier

SKEW = 30.0  # seconds: Slack's clock and ours may disagree a little
HISTORY_PAGES = 10
LIST_PAGES = 100


@dataclass(frozen=True)
class Tagged:
    """One post of the bot that carries outbox metadata."""

    rows: frozenset[int]
    payload: dict[str, Any]
    ts: str


def conversation(slack: Notifier, channel: str) -> str:
    """The conversation id of a destination: a user id means the bot's DM with them."""
    if channel.startswith(("U", "W")):
        return str(slack.call("conversations.open", users=channel)["channel"]["id"])
    return channel


def tagged_posts(
    slack: Notifier, channel: str, since: datetime, thread_ts: str | None = None
) -> list[Tagged]:
    """The bot's tagged posts in `channel` (or DM with a user) since a moment; with
    `thread_ts`, the replies in that thread instead (history does not list them)."""
    where = conversation(slack, channel)
    found: list[Tagged] = []
    cursor = None
    method, thread = (
        ("conversations.replies", {"ts": thread_ts}) if thread_ts else ("conversations.history", {})
    )
    for _ in range(HISTORY_PAGES):
        data = slack.call(
            method,
            channel=where,
            oldest=f"{since.timestamp() - SKEW:.6f}",
            limit=200,
            include_all_metadata=True,
            cursor=cursor,
            **thread,
        )
        for message in data.get("messages") or []:
            meta = message.get("metadata") or {}
            if meta.get("event_type") != EVENT_TYPE:
                continue
            payload = dict(meta.get("event_payload") or {})
            rows = frozenset(int(r) for r in str(payload.get("rows", "")).split(",") if r.isdigit())
            found.append(Tagged(rows, payload, str(message.get("ts"))))
        cursor = (data.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            break
    return found


def landed(
    slack: Notifier, channel: str, rows: set[int], since: datetime, thread_ts: str | None = None
) -> dict[int, str]:
    """Which of these outbox rows are already in the channel (or that thread): {row: ts}."""
    out: dict[int, str] = {}
    for post in tagged_posts(slack, channel, since, thread_ts):
        for row in post.rows & rows:
            out.setdefault(row, post.ts)
    return out


def channel_named(slack: Notifier, name: str) -> dict[str, Any] | None:
    """The public or private channel (visible to the bot) with exactly this name, if any."""
    cursor = None
    for _ in range(LIST_PAGES):
        data = slack.call(
            "conversations.list",
            types="public_channel,private_channel",
            limit=1000,
            cursor=cursor,
        )
        for channel in data.get("channels") or []:
            if channel.get("name") == name:
                return dict(channel)
        cursor = (data.get("response_metadata") or {}).get("next_cursor")
        if not cursor:
            return None
    return None


def bookmark_titled(slack: Notifier, channel: str, title: str) -> str | None:
    """The id of the channel's bookmark with this title, if there is one."""
    data = slack.call("bookmarks.list", channel_id=channel)
    for bookmark in data.get("bookmarks") or []:
        if bookmark.get("title") == title:
            return str(bookmark["id"])
    return None
