"""Turning outcomes into what the person sees: one ephemeral line, never a stack trace."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bot.errors import IncidentError

log = logging.getLogger("handlers")
APOLOGY = "Sorry, something went wrong on our side (ref `{ref}`). What you typed: `{typed}`"


@contextmanager
def user_errors(say: Callable[[str], Any], typed: str = "") -> Iterator[None]:
    """IncidentError -> its message; anything else -> logged with a ref, short apology."""
    try:
        yield
    except IncidentError as exc:
        say(exc.message)
    except Exception:
        ref = uuid.uuid4().hex[:8]
        log.exception("unexpected error ref=%s", ref)
        say(APOLOGY.format(ref=ref, typed=typed[:500] or "—"))


def just_ack(ack: Callable[..., Any]) -> None:
    ack()


def deferred(listener: Callable[..., Any], work: Callable[..., Any], ack: Any = just_ack) -> None:
    """Register with Bolt's lazy listeners: `ack` answers Slack in the request thread at once,
    `work` runs afterwards on the app's worker pool (see bot.app.build_app)."""
    listener(ack=ack, lazy=[work])


def validated_modal(
    listener: Callable[..., Any],
    validate: Callable[[dict[str, Any]], dict[str, str]],
    work: Callable[[dict[str, Any], dict[str, Any]], None],
) -> None:
    """A modal submission: field errors go back in the ack (the modal stays open), the work
    runs after the ack on the worker pool. `validate(view)` must be cheap and pure."""

    def ack_submission(ack: Callable[..., Any], view: dict[str, Any]) -> None:
        errors = validate(view)
        if errors:
            ack(response_action="errors", errors=errors)
        else:
            ack()

    def run_submission(body: dict[str, Any], view: dict[str, Any]) -> None:
        if not validate(view):
            work(body, view)

    listener(ack=ack_submission, lazy=[run_submission])
