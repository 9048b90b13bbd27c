"""auth.*, users.*, views.* and bookmarks.* methods."""

from __future__ import annotations

from typing import Any

from .blocks import check_view
from .state import PERMALINK_HOST, SlackError, now_seconds
from .workspace import Args, Workspace, api


@api("auth.test")
def auth_test(ws: Workspace, args: Args) -> dict[str, Any]:
    return {
        "ok": True,
        "url": f"{PERMALINK_HOST}/",
        "team": "Fake Workspace",
        "user": ws.users[ws.bot_user_id].name,
        "team_id": ws.team_id,
        "user_id": ws.bot_user_id,
        "bot_id": ws.bot_id,
        "is_enterprise_install": False,
    }


@api("users.info")
def users_info(ws: Workspace, args: Args) -> dict[str, Any]:
    return {"ok": True, "user": ws.user(args.str("user")).to_api(ws.team_id)}


@api("usergroups.users.list")
def usergroups_users_list(ws: Workspace, args: Args) -> dict[str, Any]:
    """Slack's shape: {"ok": true, "users": [...]}; an unknown group is `no_such_subteam`."""
    members = ws.usergroups.get(args.str("usergroup"))
    if members is None:
        raise SlackError("no_such_subteam")
    return {"ok": True, "users": list(members)}


@api("users.lookupByEmail")
def users_lookup_by_email(ws: Workspace, args: Args) -> dict[str, Any]:
    email = args.str("email").lower()
    for user in ws.users.values():
        if user.email and user.email.lower() == email and not user.deleted:
            return {"ok": True, "user": user.to_api(ws.team_id)}
    raise SlackError("users_not_found")


def _checked_view(ws: Workspace, args: Args, method: str) -> dict[str, Any]:
    view = args.get("view")
    problems = check_view(view, method)
    if problems:
        for p in problems:
            ws.violation(p)
        # Slack answers schema failures of a view this way (the reference does not list it)
        raise SlackError("invalid_arguments", response_metadata={"messages": problems})
    return dict(view)  # type: ignore[arg-type]


def _view_object(
    ws: Workspace, view: dict[str, Any], view_id: str, owner: str | None, **extra: Any
) -> dict[str, Any]:
    obj = {
        "id": view_id,
        "team_id": ws.team_id,
        "type": view["type"],
        "blocks": view.get("blocks", []),
        "private_metadata": view.get("private_metadata", ""),
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": f"{now_seconds()}.{ws.ids.new('h')}",
        "title": view.get("title"),
        "clear_on_close": bool(view.get("clear_on_close", False)),
        "notify_on_close": bool(view.get("notify_on_close", False)),
        "close": view.get("close"),
        "submit": view.get("submit"),
        "previous_view_id": None,
        "root_view_id": view_id,
        "app_id": ws.app_id,
        "external_id": view.get("external_id", ""),
        "app_installed_team_id": ws.team_id,
        "bot_id": ws.bot_id,
    }
    obj.update(extra)
    ws.views[view_id] = obj
    if owner:
        ws.view_owners[view_id] = owner
    return obj


@api("views.open")
def views_open(ws: Workspace, args: Args) -> dict[str, Any]:
    view = _checked_view(ws, args, "views.open")
    if view["type"] != "modal":
        raise SlackError("invalid_arguments", response_metadata={"messages": ["not a modal"]})
    ws.use_trigger(args.str("trigger_id"))
    owner = ws.trigger_users.get(args.str("trigger_id"))
    return {"ok": True, "view": _view_object(ws, view, ws.ids.new("V"), owner)}


@api("views.push")
def views_push(ws: Workspace, args: Args) -> dict[str, Any]:
    view = _checked_view(ws, args, "views.push")
    tid = args.str("trigger_id")
    ws.use_trigger(tid)
    below = ws.views.get(ws.trigger_views.get(tid) or "")
    extra: dict[str, Any] = {}
    if below is not None:
        extra.update(previous_view_id=below["id"], root_view_id=below["root_view_id"])
    owner = ws.trigger_users.get(tid)
    return {"ok": True, "view": _view_object(ws, view, ws.ids.new("V"), owner, **extra)}


@api("views.update")
def views_update(ws: Workspace, args: Args) -> dict[str, Any]:
    view = _checked_view(ws, args, "views.update")
    if args.get("view_id"):
        current = ws.views.get(args.str("view_id"))
    else:
        wanted = args.str("external_id")
        current = next((v for v in ws.views.values() if v["external_id"] == wanted), None)
    if current is None:
        raise SlackError("not_found")
    if args.get("hash") and args.str("hash") != current["hash"]:
        raise SlackError("hash_conflict")
    keep = {k: current[k] for k in ("previous_view_id", "root_view_id")}
    owner = ws.view_owners.get(current["id"])
    return {"ok": True, "view": _view_object(ws, view, current["id"], owner, **keep)}


@api("views.publish")
def views_publish(ws: Workspace, args: Args) -> dict[str, Any]:
    view = _checked_view(ws, args, "views.publish")
    if view["type"] != "home":
        raise SlackError("invalid_arguments", response_metadata={"messages": ["not a home view"]})
    user = args.str("user_id")
    if user not in ws.users:
        ws.violation(f"views.publish: unknown user_id {user}")
    current = ws.home_views.get(user)
    if current and args.get("hash") and args.str("hash") != current["hash"]:
        raise SlackError("hash_conflict")
    view_id = current["id"] if current else ws.ids.new("V")
    obj = _view_object(ws, view, view_id, user)
    ws.home_views[user] = obj
    return {"ok": True, "view": obj}


def _bookmark_channel(ws: Workspace, args: Args) -> Any:
    if not args.get("channel_id"):
        ws.violation("bookmarks: `channel_id` missing (Slack needs it)")
    return ws.channel(args.str("channel_id"))


@api("bookmarks.add")
def bookmarks_add(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = _bookmark_channel(ws, args)
    if args.str("type") != "link":
        raise SlackError("invalid_bookmark_type")
    link = args.str("link")
    if not link.startswith(("http://", "https://")):
        raise SlackError("invalid_link")
    now = now_seconds()
    bookmark = {
        "id": ws.ids.new("Bk"),
        "channel_id": ch.id,
        "title": args.str("title"),
        "link": link,
        "emoji": args.str("emoji") or None,
        "icon_url": None,
        "type": "link",
        "entity_id": None,
        "date_created": now,
        "date_updated": now,
        "rank": chr(ord("U") + len(ch.bookmarks)),
        "last_updated_by_user_id": ws.bot_user_id,
        "last_updated_by_team_id": ws.team_id,
        "shortcut_id": None,
        "app_id": ws.app_id,
    }
    ch.bookmarks.append(bookmark)
    return {"ok": True, "bookmark": dict(bookmark)}


def _find_bookmark(ws: Workspace, args: Args) -> tuple[Any, dict[str, Any]]:
    ch = _bookmark_channel(ws, args)
    wanted = args.str("bookmark_id")
    found = next((b for b in ch.bookmarks if b["id"] == wanted), None)
    if found is None:
        raise SlackError("not_found")
    return ch, found


@api("bookmarks.edit")
def bookmarks_edit(ws: Workspace, args: Args) -> dict[str, Any]:
    _, bookmark = _find_bookmark(ws, args)
    if args.get("link") and not args.str("link").startswith(("http://", "https://")):
        raise SlackError("invalid_link")
    for key in ("title", "link", "emoji"):
        if args.get(key) is not None:
            bookmark[key] = args.str(key)
    bookmark["date_updated"] = now_seconds()
    return {"ok": True, "bookmark": dict(bookmark)}


@api("bookmarks.remove")
def bookmarks_remove(ws: Workspace, args: Args) -> dict[str, Any]:
    ch, bookmark = _find_bookmark(ws, args)
    ch.bookmarks.remove(bookmark)
    return {"ok": True}


@api("bookmarks.list")
def bookmarks_list(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = _bookmark_channel(ws, args)
    return {"ok": True, "bookmarks": [dict(b) for b in ch.bookmarks]}
