"""A local stand-in for the Slack Web API, for `incident-bot demo` only.

It answers every method the bot uses with Slack-shaped success responses and prints what
people in Slack would see. The test suite has its own, stricter fake (tests/fakeslack).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

USERS = {
    "U0ALICE": "alice",
    "U0BOB": "bob",
    "U0CAROL": "carol",
    "U0DAN": "dan",
    "U0DANA": "dana",
    "U0ERIN": "erin",
}
NAMES = {**USERS, "U0BOT": "incident-bot"}  # as people see them, the bot included
# usergroups.users.list: the example config's database on-call group
USERGROUPS = {"S0DBAONCALL": ["U0DANA", "U0ERIN"]}
# users.info: each person's name and Slack time zone (times they type are read in it)
PROFILES = {
    "U0ALICE": ("Alice Archer", "Europe/Berlin"),
    "U0BOB": ("Bob Baker", "America/New_York"),
    "U0CAROL": ("Carol Chen", "Asia/Tokyo"),
    "U0DAN": ("Dan Diaz", "Europe/London"),
    "U0DANA": ("Dana Diaz", "Europe/Dublin"),
    "U0ERIN": ("Erin Eze", "UTC"),
}


class DemoSlack:
    """Serves /api/<method>, /respond/<id> and /upload/<id> on 127.0.0.1; prints the result."""

    def __init__(self, show: Callable[[str], None] = print) -> None:
        self.show = show
        self.channels: dict[str, str] = {}
        self.dms: dict[str, str] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.uploads: dict[str, bytes] = {}
        self.posted: dict[str, dict[str, Any]] = {}  # ts -> what the bot posted
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/"

    @property
    def hook_url(self) -> str:
        """Where workflow webhooks go in the demo (printed, answered 204)."""
        return f"{self.base}/hook"

    def response_url(self, key: str) -> str:
        return f"{self.base}/respond/{key}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add_channel(self, name: str) -> str:
        cid = f"C{next(self._ids):08d}"
        self.channels[cid] = name
        return cid

    def add_message(self, channel: str, user: str, text: str) -> str:
        """A message a person types in a channel (for capture by reaction)."""
        with self._lock:
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            message = {"type": "message", "user": user, "text": text, "ts": ts}
            self.history.setdefault(channel, []).append(message)
        self._print(f"{self.readable(f'<@{user}>')} in {self._where(channel)}", text)
        return ts

    # --- rendering ------------------------------------------------------------------------
    def readable(self, text: str) -> str:
        text = re.sub(r"<!date\^\d+\^[^|>]*\|([^>]*)>", r"\1", text)
        text = re.sub(
            r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "@" + NAMES.get(m[1], m[1]), text
        )
        text = re.sub(
            r"<#(C[A-Z0-9]+)(?:\|[^>]*)?>", lambda m: "#" + self.channels.get(m[1], m[1]), text
        )
        return re.sub(r"<([^|>]+)\|([^>]+)>", r"\2", text)

    def render(self, args: dict[str, Any]) -> str:
        blocks = args.get("blocks")
        if isinstance(blocks, str):
            blocks = json.loads(blocks)
        if not blocks:
            return self.readable(str(args.get("text", "")))
        lines: list[str] = []
        for block in blocks:
            kind = block.get("type")
            if kind == "header":
                lines.append(f"== {block['text']['text']} ==")
            elif kind == "section":
                if block.get("text"):
                    lines.append(block["text"]["text"])
                for field in block.get("fields") or []:
                    lines.append(field["text"].replace("\n", ": ", 1))
            elif kind == "context":
                lines.append(" ".join(e.get("text", "") for e in block["elements"]))
            elif kind == "actions" and block["elements"][0].get("type") == "checkboxes":
                element = block["elements"][0]
                ticked = {o["value"] for o in element.get("initial_options") or []}
                for option in element["options"]:
                    box = "☑" if option["value"] in ticked else "☐"
                    lines.append(f"{box} {option['text']['text']}")
            elif kind == "actions":
                labels = [
                    (e.get("text") or e.get("placeholder") or {}).get("text", "")
                    for e in block["elements"]
                ]
                lines.append("[" + "] [".join(labels) + "]")
        return self.readable("\n".join(lines))

    def _where(self, channel: str) -> str:
        return self.dms.get(channel) or "#" + self.channels.get(channel, channel)

    # --- the Web API ----------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            ts = f"{int(time.time())}.{next(self._ts):06d}"
            if method == "conversations.create":
                cid = self.add_channel(args["name"])
                lock = " (private)" if str(args.get("is_private")).lower() == "true" else ""
                self.show(f"\n  [slack] channel #{args['name']} created{lock}")
                return {"channel": {"id": cid, "name": args["name"], "is_private": bool(lock)}}
            if method == "conversations.open":
                cid = f"D{next(self._ids):08d}"
                self.dms[cid] = "DM to @" + USERS.get(args["users"], args["users"])
                return {"channel": {"id": cid}}
            if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
                where = self._where(args["channel"])
                verb = {"chat.update": "card updated in", "chat.postEphemeral": "only you see, in"}
                head = f"{verb.get(method, 'in')} {where}"
                if method == "chat.postEphemeral":
                    head += f" (to @{USERS.get(args['user'], args['user'])})"
                if args.get("thread_ts"):
                    under = "the card" if where.startswith("#inc-") else "the announcement"
                    head += f", in the thread under {under}"
                    if str(args.get("reply_broadcast")).lower() == "true":
                        head += " and also sent to the channel"
                if method == "chat.update" and args["text"].startswith("Checklist"):
                    self._print(f"checklist updated in {where}", self.render(args))
                elif method == "chat.update" and where.startswith("#inc-"):
                    self.show(f"  [slack] pinned card updated: {self.readable(args['text'])}")
                elif method == "chat.update":
                    self._print(f"announcement edited in place in {where}", self.render(args))
                else:
                    self._print(head, self.render(args))
                    self.posted[ts] = args
                return {"channel": args["channel"], "ts": args.get("ts", ts), "message": {}}
            if method == "pins.add":
                self.show(f"  [slack] message pinned in {self._where(args['channel'])}")
            elif method == "conversations.invite":
                names = ", ".join("@" + USERS.get(u, u) for u in args["users"].split(","))
                self.show(f"  [slack] {names} invited to {self._where(args['channel'])}")
            elif method == "conversations.setTopic":
                topic = self.readable(args["topic"])
                self.show(f"  [slack] topic of {self._where(args['channel'])}: {topic}")
            elif method == "bookmarks.add":
                where = self._where(args["channel_id"])
                self.show(f"  [slack] bookmark '{args['title']}' added to {where}")
                return {"bookmark": {"id": f"Bk{next(self._ids):08d}", "title": args["title"]}}
            elif method == "files.getUploadURLExternal":
                fid = f"F{next(self._ids):08d}"
                return {"upload_url": f"{self.base}/upload/{fid}", "file_id": fid}
            elif method == "files.completeUploadExternal":
                files = (
                    json.loads(args["files"]) if isinstance(args["files"], str) else args["files"]
                )
                where = self._where(args.get("channel_id", ""))
                self.show(f"  [slack] file '{files[0].get('title')}' shared in {where}")
                return {"files": [{"id": files[0]["id"], "title": files[0].get("title")}]}
            elif method == "chat.getPermalink":
                stamp = args["message_ts"].replace(".", "")
                return {"permalink": f"https://demo.slack.com/archives/{args['channel']}/p{stamp}"}
            elif method in ("conversations.history", "conversations.replies"):
                found = [
                    m
                    for m in self.history.get(args["channel"], [])
                    if m["ts"] == args.get("latest", args.get("ts"))
                ]
                return {"messages": found, "has_more": False}
            elif method == "files.info":
                return {
                    "file": {
                        "id": args["file"],
                        "permalink": f"https://demo.slack.com/files/{args['file']}",
                    }
                }
            elif method == "conversations.members":
                return {"members": list(USERS), "response_metadata": {"next_cursor": ""}}
            elif method == "usergroups.users.list":
                members = USERGROUPS.get(args["usergroup"])
                if members is None:
                    return {"ok": False, "error": "no_such_subteam"}
                names = ", ".join("@" + USERS.get(u, u) for u in members)
                self.show(f"  [slack] user group {args['usergroup']}: {names}")
                return {"users": members}
            elif method == "auth.test":
                return {"user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0DEMO", "user": "bot"}
            elif method == "views.open":
                self.show("  [slack] a modal opens")
            elif method == "users.info":
                real_name, tz = PROFILES.get(args["user"], ("Someone", "UTC"))
                return {
                    "user": {
                        "id": args["user"],
                        "name": USERS.get(args["user"], "someone"),
                        "real_name": real_name,
                        "tz": tz,
                    }
                }
            return {}

    def _print(self, head: str, body: str) -> None:
        indented = "\n".join("  │ " + line for line in body.splitlines() or [""])
        self.show(f"  ┌─ {head}\n{indented}")

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.startswith("/upload/"):
                    stand_in.uploads[self.path.removeprefix("/upload/")] = raw
                    return self._send({"ok": True}, plain=True)
                if "json" in (self.headers.get("Content-Type") or ""):
                    args = json.loads(raw or b"{}")
                else:
                    args = dict(parse_qsl(raw.decode()))
                if self.path == "/hook":
                    signed = (
                        "signed" if self.headers.get("X-Incident-Bot-Signature") else "unsigned"
                    )
                    event = json.loads(raw or b"{}")
                    number = event.get("incident", {}).get("number")
                    stand_in.show(
                        f"  [webhook] POST /hook ({signed}): {event.get('event')} of incident "
                        f"{number}, workflow {event.get('workflow')}"
                    )
                    self.send_response(204)
                    self.end_headers()
                    return None
                if self.path.startswith("/respond/"):
                    if args.get("text") or args.get("blocks"):
                        stand_in._print("only you see", stand_in.render(args))
                    return self._send({"ok": True}, plain=True)
                method = self.path.removeprefix("/api/")
                self._send({"ok": True, **stand_in.answer(method, args)})

            def do_GET(self) -> None:  # slack_sdk sends a few read methods as GET
                path, _, query = self.path.partition("?")
                method = path.removeprefix("/api/")
                self._send({"ok": True, **stand_in.answer(method, dict(parse_qsl(query)))})

            def _send(self, body: dict[str, Any], plain: bool = False) -> None:
                data = b"ok" if plain else json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain" if plain else "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                return

        return Handler
