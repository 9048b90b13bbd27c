"""files.* (the v2 external upload flow) and canvases.* methods."""

from __future__ import annotations

from typing import Any

from .api_chat import _postable
from .state import PERMALINK_HOST, SlackError, UploadedFile, now_seconds
from .workspace import Args, Workspace, api

_CANVAS_OPERATIONS = {
    "insert_after",
    "insert_before",
    "insert_at_start",
    "insert_at_end",
    "replace",
    "delete",
    "rename",
}


@api("files.getUploadURLExternal")
def get_upload_url(ws: Workspace, args: Args) -> dict[str, Any]:
    length = args.int("length", -1)
    if length < 0:
        raise SlackError("invalid_arguments")
    fid = ws.ids.new("F")
    ws.files[fid] = UploadedFile(fid, args.str("filename"), length)
    return {"ok": True, "upload_url": f"{ws.base_url}upload/v1/{fid}", "file_id": fid}


def receive_upload(ws: Workspace, fid: str, body: bytes) -> tuple[int, str]:
    """The POST of a file's bytes to its upload_url: (HTTP status, body) like files.slack.com."""
    with ws.lock:
        pending = ws.files.get(fid)
        if pending is None or pending.completed:
            return 404, "upload not found"
        if len(body) != pending.length:
            ws.violation(
                f"upload of {fid}: {len(body)} bytes sent, files.getUploadURLExternal said "
                f"length={pending.length}"
            )
        pending.content = body
        return 200, f"OK - {len(body)}"


@api("files.completeUploadExternal")
def complete_upload(ws: Workspace, args: Args) -> dict[str, Any]:
    items = args.get("files")
    if not isinstance(items, list) or not items:
        raise SlackError("invalid_arguments")
    uploads = []
    for item in items:
        found = ws.files.get(str(item.get("id")))
        if found is None or found.content is None or found.completed:
            raise SlackError("file_not_found")
        uploads.append((found, item.get("title")))
    targets = args.csv("channels") or ([args.str("channel_id")] if args.get("channel_id") else [])
    channels = [ws.channel(c) for c in targets]
    for ch in channels:
        _postable(ws, ch)
    created = now_seconds()
    for found, title in uploads:
        found.title = title or found.filename
        found.completed = True
        found.channels = [ch.id for ch in channels]
    objects = [f.to_api(ws.bot_user_id, created) for f, _ in uploads]
    for ch in channels:
        msg = {
            "type": "message",
            "text": args.str("initial_comment"),
            "files": objects,
            "upload": True,
            "user": ws.bot_user_id,
            "display_as_bot": False,
            "ts": ws.ids.ts(),
        }
        if args.get("thread_ts"):
            msg["thread_ts"] = args.str("thread_ts")
        ws.store(ch, msg)
    return {"ok": True, "files": objects}


@api("files.delete")
def files_delete(ws: Workspace, args: Args) -> dict[str, Any]:
    found = ws.files.get(args.str("file"))
    if found is None:
        raise SlackError("file_not_found")
    if found.deleted:
        raise SlackError("file_deleted")
    found.deleted = True
    return {"ok": True}


@api("files.info")
def files_info(ws: Workspace, args: Args) -> dict[str, Any]:
    fid = args.str("file")
    canvas = ws.canvases.get(fid)
    if canvas is not None:
        if canvas["deleted"]:
            raise SlackError("file_deleted")
        obj = canvas_file(ws, canvas)
    else:
        found = ws.files.get(fid)
        if found is None or not found.completed:
            raise SlackError("file_not_found")
        if found.deleted:
            raise SlackError("file_deleted")
        obj = found.to_api(ws.bot_user_id, now_seconds())
    return {"ok": True, "file": obj, "comments": [], "response_metadata": {"next_cursor": ""}}


def canvas_file(ws: Workspace, canvas: dict[str, Any]) -> dict[str, Any]:
    """The file object Slack answers for a canvas (canvases are files of type quip)."""
    link = f"{PERMALINK_HOST}/docs/{ws.team_id}/{canvas['id']}"
    return {
        "id": canvas["id"],
        "created": canvas["created"],
        "timestamp": canvas["created"],
        "name": canvas["title"] or "Untitled",
        "title": canvas["title"] or "Untitled",
        "mimetype": "application/vnd.slack-docs",
        "filetype": "quip",
        "pretty_type": "Canvas",
        "user": ws.bot_user_id,
        "url_private": link,
        "permalink": link,
        "channels": [canvas["channel_id"]] if canvas["channel_id"] else [],
        "is_public": True,
    }


def _markdown(content: Any) -> str:
    if content is None:
        return ""
    if not isinstance(content, dict) or content.get("type") != "markdown":
        raise SlackError(
            "canvas_creation_failed", detail="document_content must be {type: markdown, ...}"
        )
    return str(content.get("markdown", ""))


def _new_canvas(ws: Workspace, title: str, content: Any, channel_id: str | None) -> str:
    cid = ws.ids.new("F")
    ws.canvases[cid] = {
        "id": cid,
        "title": title,
        "markdown": _markdown(content),
        "channel_id": channel_id,
        "edits": [],
        "deleted": False,
        "created": now_seconds(),
    }
    return cid


@api("canvases.create")
def canvases_create(ws: Workspace, args: Args) -> dict[str, Any]:
    channel_id = args.str("channel_id") or None
    if channel_id:
        ws.channel(channel_id)
    cid = _new_canvas(ws, args.str("title"), args.get("document_content"), channel_id)
    return {"ok": True, "canvas_id": cid}


@api("conversations.canvases.create")
def channel_canvas_create(ws: Workspace, args: Args) -> dict[str, Any]:
    ch = ws.channel(args.str("channel_id"))
    if ch.canvas_id is not None:
        raise SlackError("channel_canvas_already_exists")
    ch.canvas_id = _new_canvas(ws, args.str("title"), args.get("document_content"), ch.id)
    return {"ok": True, "canvas_id": ch.canvas_id}


def _canvas(ws: Workspace, args: Args) -> dict[str, Any]:
    canvas = ws.canvases.get(args.str("canvas_id"))
    if canvas is None or canvas["deleted"]:
        raise SlackError("canvas_not_found")
    return canvas


@api("canvases.edit")
def canvases_edit(ws: Workspace, args: Args) -> dict[str, Any]:
    canvas = _canvas(ws, args)
    changes = args.get("changes")
    if not isinstance(changes, list) or not changes:
        raise SlackError("canvas_editing_failed")
    for change in changes:
        op = change.get("operation")
        if op not in _CANVAS_OPERATIONS:
            raise SlackError("canvas_editing_failed")
        if op == "rename":
            canvas["title"] = str((change.get("title_content") or {}).get("markdown", ""))
        elif op == "insert_at_end":
            canvas["markdown"] += _markdown(change.get("document_content"))
        elif op == "insert_at_start":
            canvas["markdown"] = _markdown(change.get("document_content")) + canvas["markdown"]
        elif op == "replace" and not change.get("section_id"):
            canvas["markdown"] = _markdown(change.get("document_content"))
        canvas["edits"].append(change)  # section-level edits are recorded, not applied
    return {"ok": True}


@api("canvases.delete")
def canvases_delete(ws: Workspace, args: Args) -> dict[str, Any]:
    canvas = _canvas(ws, args)
    canvas["deleted"] = True
    for ch in ws.channels.values():
        if ch.canvas_id == canvas["id"]:
            ch.canvas_id = None
    return {"ok": True}
