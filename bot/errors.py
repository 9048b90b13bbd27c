"""Domain errors carry a message fit for the person who typed the command."""

from __future__ import annotations


class IncidentError(Exception):
    """Bad input or a forbidden change: shown to the user as one ephemeral line."""

    def __init__(self, message: str) -> None:
        # One line by construction, even when it quotes input that had line breaks in it.
        message = " ".join(message.splitlines())
        super().__init__(message)
        self.message = message


class NotFound(IncidentError):
    """The thing named does not exist (or is not visible to this user)."""


class Forbidden(IncidentError):
    """The user may not make this change."""


class SlackFailure(IncidentError):
    """Slack refused or failed a call we needed; `code` is Slack's error, `retry_after` its
    Retry-After header (seconds) when it rate-limited us."""

    def __init__(self, message: str, code: str = "error", retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after
