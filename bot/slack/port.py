"""The one outgoing Slack port: every Web API call the bot makes goes through here."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.models.blocks import Block

from bot.errors import SlackFailure
from bot.telemetry import SLACK_API_ERRORS

log = logging.getLogger(__name__)

# What a person should read when Slack refuses; anything else gets the raw code.
SLACK_ERROR_HINTS = {
    "name_taken": "a channel with that name already exists",
    "not_in_channel": "the bot is not in that channel: /invite @incident-bot",
    "channel_not_found": "Slack can't find that channel, or the bot can't see it",
    "ratelimited": "Slack is rate-limiting the bot; try again in a minute",
    "is_archived": "that channel is archived",
    "user_not_found": "Slack doesn't know that user",
    "restricted_action": "the workspace doesn't allow the bot to do that",
    "missing_scope": "the app lacks a permission: reinstall it from manifest.yml",
    "invalid_auth": "the bot token is invalid: check SLACK_BOT_TOKEN",
    "server_error": "Slack had an internal error; try again",
}


def slack_client(token: str, base_url: str, *, retries: int = 2) -> WebClient:
    """The one Slack client factory: SLACK_API_URL plus slack_sdk's retry handlers."""
    client = WebClient(token=token, base_url=base_url, timeout=10)
    client.retry_handlers.extend(
        [
            RateLimitErrorRetryHandler(max_retry_count=retries),
            ServerErrorRetryHandler(max_retry_count=retries),
        ]
    )
    assert any(isinstance(h, ConnectionErrorRetryHandler) for h in client.retry_handlers)
    return client


def error_code(exc: SlackApiError) -> str:
    data = exc.response.data if isinstance(exc.response.data, dict) else {}
    status = exc.response.status_code
    if status == 429:
        return "ratelimited"
    if status >= 500:
        return "server_error"
    return str(data.get("error", f"http_{status}"))


def retry_after(exc: SlackApiError) -> int | None:
    """Slack's Retry-After header (seconds) on a 429, if it sent one."""
    headers = exc.response.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def hint(code: str) -> str:
    """What a person should read for one of Slack's error codes."""
    return SLACK_ERROR_HINTS.get(code, f"Slack answered `{code}`")


def failure(exc: SlackApiError, method: str, what: str) -> SlackFailure:
    """Count a refused call and turn it into a SlackFailure a person can read."""
    code = error_code(exc)
    SLACK_API_ERRORS.labels(method=method, error=code).inc()
    log.warning("slack %s failed: %s", method, code)
    return SlackFailure(f"Slack refused {what}: {hint(code)}.", code, retry_after(exc))


class Notifier:
    """Thin, typed wrapper over WebClient; raises SlackFailure with a readable message."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def call(self, method: str, *, ignore: frozenset[str] = frozenset(), **kwargs: Any) -> dict:
        """Call any Web API method; Slack errors become SlackFailure (except codes in
        `ignore`, which mean the work is already done) and are counted."""
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        try:
            # The typed WebClient methods know each method's encoding and Block Kit objects.
            response = getattr(self.client, method.replace(".", "_"))(**kwargs)
        except SlackApiError as exc:
            if error_code(exc) in ignore:
                return {}
            raise failure(exc, method, method) from exc
        return dict(response.data) if isinstance(response.data, dict) else {}

    # conversations
    def create_channel(self, name: str, *, private: bool) -> dict[str, Any]:
        return self.call("conversations.create", name=name, is_private=private)["channel"]

    def invite(self, channel: str, users: Sequence[str]) -> None:
        self.call(
            "conversations.invite",
            channel=channel,
            users=",".join(users),
            ignore=frozenset({"already_in_channel"}),
        )

    def set_topic(self, channel: str, topic: str) -> None:
        self.call("conversations.setTopic", channel=channel, topic=topic[:250])

    def is_in_channel(self, channel: str, user: str) -> bool:
        """conversations.members, page by page (slack_sdk follows the cursor)."""
        try:
            pages = self.client.conversations_members(channel=channel, limit=1000)
            return any(user in (page.get("members") or []) for page in pages)
        except SlackApiError as exc:
            raise failure(exc, "conversations.members", "conversations.members") from exc

    def archive(self, channel: str) -> None:
        self.call("conversations.archive", channel=channel)

    # messages
    def post(
        self,
        channel: str,
        text: str,
        blocks: Sequence[Block] | None = None,
        thread_ts: str | None = None,
    ) -> str:
        data = self.call(
            "chat.postMessage",
            channel=channel,
            text=text,
            blocks=blocks,
            thread_ts=thread_ts,
            unfurl_links=False,
        )
        return str(data["ts"])

    def update(self, channel: str, ts: str, text: str, blocks: Sequence[Block]) -> None:
        self.call("chat.update", channel=channel, ts=ts, text=text, blocks=blocks)

    def ephemeral(
        self, channel: str, user: str, text: str, blocks: Sequence[Block] | None = None
    ) -> None:
        self.call("chat.postEphemeral", channel=channel, user=user, text=text, blocks=blocks)

    def pin(self, channel: str, ts: str) -> None:
        self.call("pins.add", channel=channel, timestamp=ts, ignore=frozenset({"already_pinned"}))

    def permalink(self, channel: str, ts: str) -> str:
        return str(self.call("chat.getPermalink", channel=channel, message_ts=ts)["permalink"])

    def dm(self, user: str, text: str, blocks: Sequence[Block] | None = None) -> str:
        channel = self.call("conversations.open", users=user)["channel"]["id"]
        return self.post(channel, text, blocks)

    # views
    def open_view(self, trigger_id: str, view: Any) -> None:
        self.call("views.open", trigger_id=trigger_id, view=view)

    def publish_home(self, user: str, view: Any) -> None:
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
        files = response.data.get("files") if isinstance(response.data, dict) else None
        return str(files[0]["id"]) if files else ""

    def bookmark(self, channel: str, title: str, link: str) -> str:
        data = self.call("bookmarks.add", channel_id=channel, title=title, type="link", link=link)
        return str(data["bookmark"]["id"])

    def edit_bookmark(self, channel: str, bookmark_id: str, title: str, link: str) -> None:
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
