"""The one plain-text WSGI answer every endpoint refuses or answers with."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def plain(
    start_response: Callable[..., Any],
    status: str,
    body: bytes,
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    """Answer `status` with a short text body (and any extra headers)."""
    start_response(
        status,
        [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            *(headers or []),
        ],
    )
    return [body]
