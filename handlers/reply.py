"""What every listener shares: the ack, the services, and one way to say a line to a person."""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import Ack, BoltContext, Respond

from bot.errors import IncidentError, SlackFailure
from bot.incidents.service import IncidentService
from bot.slack.modals import value
from bot.slack.port import Notifier
from bot.wiring import Deps

log = logging.getLogger("handlers")
APOLOGY = "Sorry, something went wrong on our side (ref `{ref}`). What you typed: `{typed}`"
Say = Callable[[str], Any]
ViewErrors = Callable[[dict[str, Any], IncidentService], dict[str, str]]


def acknowledge(ack: Ack) -> None:
    """Answer Slack at once, in the request thread; the listener's work runs after (lazy)."""
    ack()


def service(context: BoltContext) -> IncidentService:
    """The incident service over the app's Deps (put in the context by handlers.register_all)."""
    deps: Deps = context["deps"]
    return IncidentService(deps)


def user_id(body: dict[str, Any]) -> str:
    """Who acted: slash commands carry `user_id`, interactions a `user` object."""
    return str(body.get("user_id") or (body.get("user") or {}).get("id") or "")


def channel_id(body: dict[str, Any]) -> str:
    """Where an interaction happened (message buttons carry it in `channel` or `container`)."""
    return str(
        (body.get("channel") or {}).get("id")
        or (body.get("container") or {}).get("channel_id")
        or body.get("channel_id")
        or ""
    )


def ephemeral(respond: Respond) -> Say:
    """Say a line to the person only, beside the message or command they used."""
    return lambda line: respond(response_type="ephemeral", replace_original=False, text=line)


def in_channel(slack: Notifier, channel: str | None, user: str) -> Say:
    """Say a line to the person in `channel` (only they see it), or by DM when that fails."""

    def say(line: str) -> None:
        if channel and channel.startswith(("C", "G")):
            try:
                slack.ephemeral(channel, user, line)
                return
            except SlackFailure:  # not in the channel (e.g. a refused non-member)
                pass
        slack.dm(user, line)

    return say


@contextmanager
def user_errors(say: Say, typed: str = "") -> Iterator[None]:
    """IncidentError -> its message; anything else -> logged with a ref, short apology."""
    try:
        yield
    except IncidentError as exc:
        say(exc.message)
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("unexpected error ref=%s", ref)
        say(APOLOGY.format(ref=ref, typed=typed[:500] or "—"))


def field_errors(view: dict[str, Any], checks: dict[str, Callable[[str], object]]) -> dict:
    """Run each input's check on its submitted text; {block_id: message} for those refused."""
    errors: dict[str, str] = {}
    for block_id, check in checks.items():
        try:
            check(value(view, block_id) or "")
        except IncidentError as exc:
            errors[block_id] = exc.message
    return errors


def logged(work: Callable[..., None]) -> Callable[..., None]:
    """A lazy listener whose failure is logged whole, with a reference (Bolt logs one line
    without the traceback). `functools.wraps` keeps Bolt's argument injection: it unwraps."""

    @functools.wraps(work)
    def run(*args: Any, **kwargs: Any) -> None:
        try:
            work(*args, **kwargs)
        except Exception:
            log.exception("unexpected error in %s ref=%s", work.__name__, uuid.uuid4().hex[:8])

    return run
