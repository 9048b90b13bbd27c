"""conversations.* methods."""

from __future__ import annotations

import base64
import re
from typing import Any

from .state import Channel, SlackError, now_seconds
from .workspace import Args, Workspace, api

_NAME_OK = re.compile(r"^[a-z0-9_-]+$")
_PUNCTUATION_ONLY = re.compile(r"^[-_]+$")


def _channel_answer(ws: Workspace, ch: Channel, **extra: Any) -> dict[str, Any]:
    return {"ok": True, "channel": ch.to_api(ws.bot_user_id), **extra}


def validate_channel_name(name: str) -> None:
    """Slack's channel-name rules, with the errors conversations.create answers."""
    if not name:
        raise SlackError("invalid_name_required")
    if len(name) > 80:
        raise SlackError("invalid_name_maxlength")
    if not _NAME_OK.match(name):
        raise SlackError("invalid_name_specials")
    if _PUNCTUATION_ONLY.match(name):
        raise SlackError("invalid_name_punctuation")


@api("conversations.create")
def create(ws: Workspace, args: Args) -> dict[str, Any]:
    name = args.str("name")
    validate_channel_name(name)
    if ws.channel_by_name(name) is not None:
        raise SlackError("name_taken")
    cid, ws.next_channel_id = ws.next_channel_id or ws.ids.new("C"), None
    ch = Channel(cid, name, is_private=args.bool("is_private"), created=now_seconds())
    ch.creator = ws.bot_user_id
    ch.members = {ws.bot_user_id}
    ws.channels[cid] = ch
    return _channel_answer(ws, ch)


@api("conversations.info")
def info(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    answer = _channel_answer(ws, ch)
    if args.bool("include_num_members"):
        answer["channel"]["num_members"] = len(ch.members)
    return answer


@api("conversations.list")
def list_(ws: Workspace, args: Args) -> dict[str, Any]:
    types = set(args.csv("types") or ["public_channel"])
    wanted = []
    for ch in ws.channels.values():
        kind = "im" if ch.is_im else "private_channel" if ch.is_private else "public_channel"
        visible = not ch.is_private or ws.bot_user_id in ch.members
        if kind in types and visible and not (ch.is_archived and args.bool("exclude_archived")):
            wanted.append(ch.to_api(ws.bot_user_id))
    page, cursor = _page(wanted, args, default_limit=100)
    return {"ok": True, "channels": page, "response_metadata": {"next_cursor": cursor}}


@api("conversations.members")
def members(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    page, cursor = _page(sorted(ch.members), args, default_limit=100)
    return {"ok": True, "members": page, "response_metadata": {"next_cursor": cursor}}


@api("conversations.invite")
def invite(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    if ch.is_archived:
        raise SlackError("is_archived")
    if ch.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    ws.require_member(ch)
    users = args.csv("users")
    if not users:
        raise SlackError("no_user")
    errors = []
    for uid in users:
        if uid == ws.bot_user_id:
            errors.append({"user": uid, "ok": False, "error": "cant_invite_self"})
        elif uid not in ws.users or ws.users[uid].deleted:
            errors.append({"user": uid, "ok": False, "error": "user_not_found"})
    if errors and not args.bool("force"):
        raise SlackError(errors[0]["error"], errors=errors)
    if len(users) == 1 and users[0] in ch.members:
        raise SlackError(
            "already_in_channel",
            errors=[{"user": users[0], "ok": False, "error": "already_in_channel"}],
        )
    bad = {e["user"] for e in errors}
    ch.members.update(u for u in users if u not in bad)
    return _channel_answer(ws, ch)


@api("conversations.join")
def join(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    if ch.is_private or ch.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise SlackError("is_archived")
    if ws.bot_user_id in ch.members:
        warning = "already_in_channel"
        return _channel_answer(ws, ch, warning=warning, response_metadata={"warnings": [warning]})
    ch.members.add(ws.bot_user_id)
    return _channel_answer(ws, ch)


def _set_text(ws: Workspace, args: Args, field: str) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    if ch.is_archived:
        raise SlackError("is_archived")
    if ws.bot_user_id not in ch.members:
        raise SlackError("not_in_channel")
    value = args.str(field)
    if len(value) > 250:
        raise SlackError("too_long")
    setattr(ch, field, value)
    setattr(ch, f"{field}_set", (ws.bot_user_id, now_seconds()))
    return _channel_answer(ws, ch)


@api("conversations.setTopic")
def set_topic(ws: Workspace, args: Args) -> dict[str, Any]:
    return _set_text(ws, args, "topic")


@api("conversations.setPurpose")
def set_purpose(ws: Workspace, args: Args) -> dict[str, Any]:
    return _set_text(ws, args, "purpose")


@api("conversations.archive")
def archive(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    if ch.is_im:
        raise SlackError("method_not_supported_for_channel_type")
    if ch.is_archived:
        raise SlackError("already_archived")
    if ch.name == "general":
        raise SlackError("cant_archive_general")
    if ws.bot_user_id not in ch.members:
        raise SlackError("not_in_channel")
    ch.is_archived = True
    return {"ok": True}


@api("conversations.open")
def open_(ws: Workspace, args: Args) -> dict[str, Any]:
    if args.get("channel"):
        ch = ws.channel(args.str("channel"))
    else:
        users = [u for u in args.csv("users") if u != ws.bot_user_id]
        if not args.csv("users"):
            raise SlackError("users_list_not_supplied")
        if len(users) != 1:
            # multi-person DMs are not modelled; the bot only DMs one person at a time
            raise SlackError("not_enough_users" if not users else "too_many_users")
        ch = ws.dm_with(users[0])
    if args.bool("return_im"):
        return {"ok": True, "channel": ch.to_api(ws.bot_user_id)}
    return {"ok": True, "channel": {"id": ch.id}}


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, frac = ts.partition(".")
    return int(seconds or 0), int((frac or "0").ljust(6, "0")[:6])


def _window(messages: list[dict[str, Any]], args: Args) -> list[dict[str, Any]]:
    oldest, latest = args.str("oldest", "0"), args.str("latest")
    inclusive = args.bool("inclusive")
    try:
        lo, hi = _ts_key(oldest), _ts_key(latest) if latest else None
    except ValueError as exc:
        raise SlackError("invalid_ts_oldest") from exc
    kept = []
    for m in messages:
        key = _ts_key(m["ts"])
        above = key >= lo if inclusive else key > lo
        below = hi is None or (key <= hi if inclusive else key < hi)
        if above and below:
            kept.append(m)
    return kept


def _page(items: list[Any], args: Args, default_limit: int) -> tuple[list[Any], str]:
    """Cursor pagination: the cursor is an opaque encoding of an offset."""
    start = 0
    if args.get("cursor"):
        try:
            start = int(base64.b64decode(args.str("cursor")).decode().removeprefix("offset:"))
        except ValueError as exc:
            raise SlackError("invalid_cursor") from exc
    limit = max(1, min(args.int("limit", default_limit), 1000))
    page = items[start : start + limit]
    more = start + limit < len(items)
    cursor = base64.b64encode(f"offset:{start + limit}".encode()).decode() if more else ""
    return page, cursor


@api("conversations.history")
def history(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    if ws.bot_user_id not in ch.members:
        raise SlackError("not_in_channel")
    top = [m for m in ch.messages if m.get("thread_ts") in (None, m["ts"])]
    newest_first = sorted(_window(top, args), key=lambda m: _ts_key(m["ts"]), reverse=True)
    page, cursor = _page(newest_first, args, default_limit=100)
    answer = {
        "ok": True,
        "messages": [dict(m) for m in page],
        "has_more": bool(cursor),
        "pin_count": len(ch.pins),
        "response_metadata": {"next_cursor": cursor},
    }
    if args.get("latest"):
        answer["latest"] = args.str("latest")
    return answer


@api("conversations.replies")
def replies(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    parent = ch.find(args.str("ts"))
    if parent is None:
        raise SlackError("thread_not_found")
    root = ch.find(parent.get("thread_ts") or parent["ts"]) or parent
    rest = [m for m in ch.messages if m.get("thread_ts") == root["ts"] and m is not root]
    # Slack always answers the thread's parent first, then the replies in the window
    oldest_first = [root, *sorted(_window(rest, args), key=lambda m: _ts_key(m["ts"]))]
    page, cursor = _page(oldest_first, args, default_limit=1000)
    return {
        "ok": True,
        "messages": [dict(m) for m in page],
        "has_more": bool(cursor),
        "response_metadata": {"next_cursor": cursor},
    }
