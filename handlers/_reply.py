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
