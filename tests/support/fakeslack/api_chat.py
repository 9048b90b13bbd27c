"""chat.*, pins.* and reactions.* methods."""

from __future__ import annotations

from typing import Any

from .blocks import check_message
from .state import PERMALINK_HOST, Channel, SlackError, now_seconds
from .workspace import Args, Workspace, api


def _postable(ws: Workspace, ch: Channel) -> None:
    """Slack's rules for where a bot may post."""
    if ch.is_archived:
        raise SlackError("is_archived")
    if ws.bot_user_id in ch.members or ch.is_im:
        return
    if ch.is_private:
        raise SlackError("not_in_channel")
    if ws.granted_scopes is not None and "chat:write.public" not in ws.granted_scopes:
        raise SlackError(
            "not_in_channel"
        )  # public channels need chat:write.public to post uninvited


def _checked(ws: Workspace, args: Args, method: str) -> None:
    problems, error = check_message(args, method)
    for p in problems:
        ws.violation(p)
    if error:
        raise SlackError(error)


def _own_message(ws: Workspace, ch: Channel, ts: str, not_ours: str) -> dict[str, Any]:
    msg = ch.find(ts)
    if msg is None:
        raise SlackError("message_not_found")
    if msg.get("bot_id") != ws.bot_id:
        raise SlackError(not_ours)
    return msg


@api("chat.postMessage")
def post_message(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"), allow_name=True)
    _postable(ws, ch)
    _checked(ws, args, "chat.postMessage")
    ts = ws.ids.ts()
    msg = ws.bot_message(args, ts)
    thread_ts = args.str("thread_ts")
    if thread_ts:
        if ch.find(thread_ts) is None:
            ws.violation(f"chat.postMessage: thread_ts {thread_ts} is not a message in {ch.id}")
        msg["thread_ts"] = thread_ts
    ws.store(ch, msg)
    return {"ok": True, "channel": ch.id, "ts": ts, "message": dict(msg)}


@api("chat.update")
def update(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    msg = _own_message(ws, ch, args.str("ts"), "cant_update_message")
    _checked(ws, args, "chat.update")
    for key in ("text", "blocks", "attachments", "metadata"):
        if key in args and args[key] is not None:
            msg[key] = args[key]
    msg["edited"] = {"user": ws.bot_user_id, "ts": ws.ids.ts()}
    answer = {k: msg[k] for k in ("text", "user", "bot_id", "blocks", "attachments") if k in msg}
    return {"ok": True, "channel": ch.id, "ts": msg["ts"], "text": msg["text"], "message": answer}


@api("chat.postEphemeral")
def post_ephemeral(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"), allow_name=True)
    _postable(ws, ch)
    user = args.str("user")
    ws.user(user)
    if user not in ch.members:
        raise SlackError("user_not_in_channel")
    _checked(ws, args, "chat.postEphemeral")
    ts = ws.ids.ts()
    ws.ephemerals.append(
        {
            "channel": ch.id,
            "user": user,
            "text": args.str("text"),
            "blocks": args.get("blocks"),
            "thread_ts": args.get("thread_ts"),
            "ts": ts,
        }
    )
    return {"ok": True, "message_ts": ts}


@api("chat.getPermalink")
def get_permalink(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    msg = ch.find(args.str("message_ts"))
    if msg is None:
        raise SlackError("message_not_found")
    link = f"{PERMALINK_HOST}/archives/{ch.id}/p{msg['ts'].replace('.', '')}"
    if msg.get("thread_ts") and msg["thread_ts"] != msg["ts"]:
        link += f"?thread_ts={msg['thread_ts']}&cid={ch.id}"
    return {"ok": True, "channel": ch.id, "permalink": link}


@api("chat.delete")
def delete(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    msg = _own_message(ws, ch, args.str("ts"), "cant_delete_message")
    ch.messages.remove(msg)
    ch.pins.discard(msg["ts"])
    return {"ok": True, "channel": ch.id, "ts": msg["ts"]}


def _pinnable(ws: Workspace, args: Args) -> tuple[Channel, dict[str, Any]]:
    ch = ws.channel(args.str("channel"))
    ts = args.str("timestamp")
    if not ts:
        raise SlackError("no_item_specified")
    if ws.bot_user_id not in ch.members:
        raise SlackError("not_in_channel")
    msg = ch.find(ts)
    if msg is None:
        raise SlackError("message_not_found")
    return ch, msg


@api("pins.add")
def pins_add(ws: Workspace, args: Args) -> dict[str, Any]:
    ch, msg = _pinnable(ws, args)
    if msg["ts"] in ch.pins:
        raise SlackError("already_pinned")
    ch.pins.add(msg["ts"])
    msg.setdefault("pinned_to", []).append(ch.id)
    return {"ok": True}


@api("pins.remove")
def pins_remove(ws: Workspace, args: Args) -> dict[str, Any]:
    ch, msg = _pinnable(ws, args)
    if msg["ts"] not in ch.pins:
        raise SlackError("no_pin")
    ch.pins.discard(msg["ts"])
    msg["pinned_to"] = [c for c in msg.get("pinned_to", []) if c != ch.id]
    return {"ok": True}


@api("pins.list")
def pins_list(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel"))
    items = []
    for ts in sorted(ch.pins):
        msg = ch.find(ts)
        if msg is not None:
            item = {"type": "message", "created": now_seconds(), "created_by": ws.bot_user_id}
            items.append({**item, "channel": ch.id, "message": dict(msg)})
    return {"ok": True, "items": items}


def _reactable(ws: Workspace, args: Args) -> tuple[dict[str, Any], str]:
    ch = ws.channel(args.str("channel"))
    ts = args.str("timestamp")
    if not ts:
        raise SlackError("no_item_specified")
    msg = ch.find(ts)
    if msg is None:
        raise SlackError("message_not_found")
    name = args.str("name")
    if not name or ":" in name or " " in name:
        raise SlackError("invalid_name")  # names go without colons: "white_check_mark"
    return msg, name


@api("reactions.add")
def reactions_add(ws: Workspace, args: Args) -> dict[str, Any]:
    msg, name = _reactable(ws, args)
    reactions = msg.setdefault("reactions", [])
    entry = next((r for r in reactions if r["name"] == name), None)
    if entry is None:
        entry = {"name": name, "users": [], "count": 0}
        reactions.append(entry)
    if ws.bot_user_id in entry["users"]:
        raise SlackError("already_reacted")
    entry["users"].append(ws.bot_user_id)
    entry["count"] = len(entry["users"])
    return {"ok": True}


@api("reactions.remove")
def reactions_remove(ws: Workspace, args: Args) -> dict[str, Any]:
    msg, name = _reactable(ws, args)
    reactions = msg.get("reactions", [])
    entry = next((r for r in reactions if r["name"] == name), None)
    if entry is None or ws.bot_user_id not in entry["users"]:
        raise SlackError("no_reaction")
    entry["users"].remove(ws.bot_user_id)
    entry["count"] = len(entry["users"])
    if not entry["users"]:
        reactions.remove(entry)
    if not reactions:
        del msg["reactions"]
    return {"ok": True}
