"""The one outgoing Slack port: every Web API call the bot makes goes through here."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from http.client import HTTPException
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import Block

from bot.slack.calls import (
    SLACK_ERROR_HINTS,
    Paced,
    current_metadata,
    error_code,
    failure,
    hint,
    is_deferring,
    no_answer,
    retry_after,
    slack_client,
)
from bot.slack.pacing import Pacer, whole_seconds

__all__ = ["SLACK_ERROR_HINTS", "Notifier", "error_code", "failure", "hint", "slack_client"]
log = logging.getLogger(__name__)
PACE_WAIT_MAX = 10.0  # seconds a caller that does not defer waits for Slack's limits


class Notifier:
    """Thin, typed wrapper over WebClient; raises SlackFailure with a readable message.

    Calls are paced to Slack's limits (bot.slack.pacing); a call whose answer never came
    raises SlackFailure `no_answer`: its outcome is unknown, and it was not re-sent.
    """

    def __init__(self, client: WebClient, pacer: Pacer | None = None) -> None:
        self.client = client
        self.pacer = pacer or Pacer()
        self._me: str | None = None

    def call(self, method: str, *, ignore: frozenset[str] = frozenset(), **kwargs: Any) -> dict:
        """Call any Web API method; Slack errors become SlackFailure (except codes in
        `ignore`, which mean the work is already done) and are counted."""
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        channel = kwargs.get("channel") or kwargs.get("channel_id")
        self._pace(method, channel)
        try:
            # The typed WebClient methods know each method's encoding and Block Kit objects.
            response = getattr(self.client, method.replace(".", "_"))(**kwargs)
        except SlackApiError as exc:
            code = error_code(exc)
            if code in ignore:
                return {}
            if code == "ratelimited":
                self.pacer.block(method, channel, retry_after(exc) or 1)
            raise failure(exc, method, method) from exc
        except (OSError, HTTPException) as exc:
            raise no_answer(exc, method) from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    def _pace(self, method: str, channel: str | None) -> None:
        """Wait for Slack's limit, or say how long to wait when the caller defers."""
        while (wait := self.pacer.take(method, channel)) > 0:
            if is_deferring() or wait > PACE_WAIT_MAX:
                raise Paced(
                    f"Slack's limit for {method} is reached; wait {wait:.1f}s.",
                    "ratelimited",
                    whole_seconds(wait),
                )
            time.sleep(wait)

    def me(self) -> str:
        """The bot's own user id (auth.test, once)."""
        if self._me is None:
            self._me = str(self.call("auth.test")["user_id"])
        return self._me

    # conversations
    def create_channel(self, name: str, *, private: bool) -> dict[str, Any]:
        """conversations.create: the new channel as Slack describes it."""
        return self.call("conversations.create", name=name, is_private=private)["channel"]

    def invite(self, channel: str, users: Sequence[str]) -> None:
        """conversations.invite; someone already in the channel (or the bot) is no error."""
        self.call(
            "conversations.invite",
            channel=channel,
            users=",".join(users),
            ignore=frozenset({"already_in_channel", "cant_invite_self"}),
        )

    def set_topic(self, channel: str, topic: str) -> None:
        """conversations.setTopic, clipped to Slack's 250 characters."""
        self.call("conversations.setTopic", channel=channel, topic=topic[:250])

    def is_in_channel(self, channel: str, user: str) -> bool:
        """conversations.members, page by page (slack_sdk follows the cursor)."""
        try:
            pages = self.client.conversations_members(channel=channel, limit=1000)
            return any(user in (page.get("members") or []) for page in pages)
        except SlackApiError as exc:
            raise failure(exc, "conversations.members", "conversations.members") from exc
        except (OSError, HTTPException) as exc:
            raise no_answer(exc, "conversations.members") from exc

    def archive(self, channel: str) -> None:
        """conversations.archive."""
        self.call("conversations.archive", channel=channel)

    # messages
    def post(
        self,
        channel: str,
        text: str,
        blocks: Sequence[Block] | None = None,
        thread_ts: str | None = None,
        *,
        broadcast: bool = False,
    ) -> str:
        """Post a message (`broadcast`: a thread reply also shown in the channel); inside
        bot.slack.calls.tagged() it carries the outbox rows it delivers as message metadata,
        so a lost answer can be checked before re-sending."""
        data = self.call(
            "chat.postMessage",
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            reply_broadcast=True if broadcast else None,
            unfurl_links=False,
            metadata=current_metadata(),
        )
        return str(data["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> None:
        """chat.update: edit a message of the bot in place."""
        self.call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)

    def ephemeral(
        self, channel: str, user: str, text: str, blocks: Sequence[Block] | None = None
    ) -> None:
        """chat.postEphemeral: a message only `user` sees in `channel`."""
        self.call("chat.postEphemeral", channel=channel, user=user, text=text, blocks=blocks)

    def pin(self, channel: str, ts: str) -> None:
        """pins.add; a message already pinned is no error."""
        self.call("pins.add", channel=channel, timestamp=ts, ignore=frozenset({"already_pinned"}))

    def permalink(self, channel: str, ts: str) -> str:
        """chat.getPermalink: the link to a message."""
        return str(self.call("chat.getPermalink", channel=channel, message_ts=ts)["permalink"])

    def dm(self, user: str, text: str, blocks: Sequence[Block] | None = None) -> str:
        """Post in the bot's direct message with `user`; returns the message ts."""
        channel = self.call("conversations.open", users=user)["channel"]["id"]
        return self.post(channel, text, blocks)

    # views
    def open_view(self, trigger_id: str, view: Any) -> None:
        """views.open: a modal for the person whose click or command gave `trigger_id`."""
        self.call("views.open", trigger_id=trigger_id, view=view)

    def publish_home(self, user: str, view: Any) -> None:
        """views.publish: the App Home tab of `user`."""
        self.call("views.publish", user_id=user, view=view)

    # files and bookmarks
    def upload_file(
        self,
        channel: str,
        filename: str,
        content: bytes | str,
        *,
        title: str,
        initial_comment: str | None = None,
        thread_ts: str | None = None,
    ) -> str:
        """Upload via files.getUploadURLExternal + files.completeUploadExternal; returns file id."""
        try:
            response = self.client.files_upload_v2(
                channel=channel,
                filename=filename,
                content=content,
                title=title,
                initial_comment=initial_comment,
                thread_ts=thread_ts,
            )
        except SlackApiError as exc:
            raise failure(exc, "files.completeUploadExternal", "the file upload") from exc
        except (OSError, HTTPException) as exc:
            raise no_answer(exc, "files.completeUploadExternal") from exc
        files = response.data.get("files") if isinstance(response.data, dict) else None
        return str(files[0]["id"]) if files else ""

    def bookmark(self, channel: str, title: str, link: str) -> str:
        """bookmarks.add: a link in the channel header; returns the bookmark id."""
        data = self.call("bookmarks.add", channel_id=channel, title=title, type="link", link=link)
        return str(data["bookmark"]["id"])

    def edit_bookmark(self, channel: str, bookmark_id: str, title: str, link: str) -> None:
        """bookmarks.edit: point an existing bookmark elsewhere."""
        self.call(
            "bookmarks.edit", channel_id=channel, bookmark_id=bookmark_id, title=title, link=link
        )

    # postmortem drafts: replacing files, messages and canvases
    def delete_file(self, file_id: str) -> None:
        """files.delete; a file that is already gone is not an error."""
        self.call(
            "files.delete", file=file_id, ignore=frozenset({"file_not_found", "file_deleted"})
        )

    def delete_message(self, channel: str, ts: str) -> None:
        """chat.delete; a message that is already gone is not an error."""
        self.call("chat.delete", channel=channel, ts=ts, ignore=frozenset({"message_not_found"}))

    def file_permalink(self, file_id: str) -> str:
        """files.info → the file's (or canvas's) permalink."""
        return str(self.call("files.info", file=file_id)["file"]["permalink"])

    def create_canvas(self, channel: str, title: str, markdown: str) -> str:
        """canvases.create shared into the channel; returns the canvas id."""
        data = self.call(
            "canvases.create",
            title=title,
            document_content={"type": "markdown", "markdown": markdown},
            channel_id=channel,
        )
        return str(data["canvas_id"])

    def edit_canvas(self, canvas_id: str, markdown: str) -> None:
        """Replace a canvas's whole content."""
        self.call(
            "canvases.edit",
            canvas_id=canvas_id,
            changes=[
                {
                    "operation": "replace",
                    "document_content": {"type": "markdown", "markdown": markdown},
                }
            ],
        )
