"""Public changes committed by this process, counted, so that its own status page shows them
on the next request without asking the database on every request."""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session

_lock = threading.Lock()
_count = 0


def after_commit(session: Session) -> None:
    """Count a change of the public page once `session` commits (not if it rolls back)."""
    event.listen(session, "after_commit", _committed, once=True)


def _committed(_session: Session) -> None:
    global _count
    with _lock:
        _count += 1


def count() -> int:
    """How many public changes this process has committed."""
    with _lock:
        return _count
