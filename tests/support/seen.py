"""What one person was shown, read from the fake: the tests of trust and privacy look here.

Everything the bot can put before a person: replies to their commands and clicks (response_url),
ephemeral messages to them, posts and edits in conversations they are in (their DMs with the bot
included), their Home tab, files shared where they can see them, and modals opened for them.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from tests.support.fakeslack import FakeSlack

SHOWING_METHODS = ("chat.postMessage", "chat.update", "files.completeUploadExternal")


def _channel_of(call: Any) -> str:
    return str(call.args.get("channel") or call.args.get("channel_id") or "")


def _file_contents(fake: FakeSlack, files: Any) -> list[str]:
    """The uploaded bytes of files.completeUploadExternal's `files`, as text."""
    if isinstance(files, str):
        files = json.loads(files)
    out = []
    for item in files or []:
        found = fake.files.get(str(item.get("id")))
        if found is not None and found.content is not None:
            out.append(found.content.decode("utf-8", "replace"))
    return out


def _to(call: Any, user: str, channels: set[str]) -> bool:
    """An accepted call that puts something before `user`."""
    if not call.ok:
        return False
    if call.method in SHOWING_METHODS:
        return _channel_of(call) in channels
    if call.method == "chat.postEphemeral":
        return call.args.get("user") == user
    if call.method == "views.publish":
        return call.args.get("user_id") == user
    return call.method == "views.open"  # only the person acting opens modals in these tests


def lines_to(fake: FakeSlack, user: str) -> list[str]:
    """The texts said to `user` since the calls were last cleared: replies, ephemerals, DMs.

    Replies over response_url carry no user: call this where only `user` acted."""
    with fake.lock:
        dms = {c.id for c in fake.channels.values() if c.is_im and c.dm_user == user}
        said = [c for c in fake.calls if c.method in ("chat.postMessage", "chat.postEphemeral")]
        return [str(body.get("text", "")) for _id, body in fake.responses] + [
            str(c.args.get("text", "")) for c in said if _to(c, user, dms)
        ]


def shown_to(fake: FakeSlack, user: str) -> str:
    """Everything `user` was shown since the calls were last cleared, as one JSON text."""
    with fake.lock:
        visible = {cid for cid, c in fake.channels.items() if user in c.members}
        shown: list[Any] = [body for _id, body in fake.responses]
        for call in fake.calls:
            if _to(call, user, visible):
                shown.append(call.args)
                shown.extend(_file_contents(fake, call.args.get("files")))
        return json.dumps(shown, default=str)


def leaks(shown: str, secrets: list[str]) -> list[str]:
    """Which secrets appear in `shown` (ids as whole words, so U1 is not found in U12)."""
    found = []
    for secret in secrets:
        pattern = rf"\b{re.escape(secret)}\b" if secret.isalnum() else re.escape(secret)
        if re.search(pattern, shown, re.IGNORECASE):
            found.append(secret)
    return found


def settle(seconds: float = 0.3) -> None:
    """Let work that would follow a refusal (it should be none) reach the fake."""
    time.sleep(seconds)
