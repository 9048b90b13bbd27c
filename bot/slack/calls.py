"""How one Web API call fails or is retried: Slack's error codes, and retries that never
send a call twice when its first answer may merely have been lost.

slack_sdk's default WebClient re-sends any call whose connection broke. For a call that is
not idempotent (a post, a channel, a file, a bookmark) the first attempt may have done its
work, so a re-send can double it; those calls are never re-sent here. Their outcome is settled
by the caller from the record: the outbox checks Slack (message metadata, a channel by its
name) before it tries again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.errors import SlackFailure
from bot.telemetry import SLACK_API_ERRORS

log = logging.getLogger(__name__)
TIMEOUT = 10  # seconds a call may take before its outcome counts as unknown

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
    "no_answer": "Slack did not answer in time",
}
# Calls whose repetition repeats their effect: never re-sent blindly.
NOT_IDEMPOTENT = frozenset(
    {
        "chat.postMessage",
        "chat.postEphemeral",
        "conversations.create",
        "files.completeUploadExternal",
        "bookmarks.add",
        "canvases.create",
        "conversations.canvases.create",
    }
)
# Outcomes that say nothing about whether the call did its work.
UNKNOWN = frozenset({"no_answer", "server_error"})


class Paced(SlackFailure):
    """Not sent: our own pacing of Slack's limits says wait `retry_after` seconds first (no
    call was made; nothing to check or count)."""


EVENT_TYPE = "incident_bot_outbox"  # the message metadata type of every tagged post

_deferring: ContextVar[bool] = ContextVar("slack_deferring", default=False)
_tag: ContextVar[dict[str, str] | None] = ContextVar("slack_outbox_tag", default=None)


@contextmanager
def tagged(rows: Sequence[int], **extra: str) -> Iterator[None]:
    """Within: every post carries metadata naming the outbox rows it delivers (and `extra`,
    e.g. which part), read back by bot.slack.recall when an answer was lost."""
    token = _tag.set({"rows": ",".join(str(r) for r in rows), **extra})
    try:
        yield
    finally:
        _tag.reset(token)


def retag(**extra: str) -> None:
    """Change the extra fields of the current tag (the next part of a multi-part message)."""
    current = _tag.get()
    if current is not None:
        _tag.set({**current, **extra})


def current_metadata() -> dict[str, Any] | None:
    """chat.postMessage's `metadata` for the current tag, if any."""
    payload = _tag.get()
    return None if payload is None else {"event_type": EVENT_TYPE, "event_payload": dict(payload)}


@contextmanager
def deferring() -> Iterator[None]:
    """Within: a rate limit is reported at once (SlackFailure `ratelimited` with its wait)
    instead of being waited out, so the caller reschedules without holding its thread."""
    token = _deferring.set(True)
    try:
        yield
    finally:
        _deferring.reset(token)


def is_deferring() -> bool:
    return _deferring.get()


def _method(request: HttpRequest) -> str:
    return str(request.url).split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


class SafeConnectionRetry(ConnectionErrorRetryHandler):
    """Re-send after a broken connection only calls that may safely run twice."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _method(request) in NOT_IDEMPOTENT:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class SafeServerErrorRetry(ServerErrorRetryHandler):
    """Retry a 5xx only for calls that may safely run twice (a 5xx may follow the work)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _method(request) in NOT_IDEMPOTENT:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class PatientRateLimitRetry(RateLimitErrorRetryHandler):
    """Wait out Retry-After in the calling thread, except where the caller defers instead."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if is_deferring():
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def slack_client(
    token: str, base_url: str, *, retries: int = 2, timeout: int = TIMEOUT
) -> WebClient:
    """The one Slack client factory: SLACK_API_URL plus retries that never double an effect."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[
            SafeConnectionRetry(max_retry_count=1),
            PatientRateLimitRetry(max_retry_count=retries),
            SafeServerErrorRetry(max_retry_count=retries),
        ],
    )


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


def no_answer(exc: Exception, method: str) -> SlackFailure:
    """A call whose answer never came (timeout, broken connection): its outcome is unknown."""
    SLACK_API_ERRORS.labels(method=method, error="no_answer").inc()
    log.warning("slack %s: no answer (%s)", method, type(exc).__name__)
    return SlackFailure(f"Slack did not answer {method} in time.", "no_answer")
