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


# Slack's answers that mean "not now" rather than "no": the same call may succeed later.
TRANSIENT_SLACK_ERRORS = frozenset(
    {"server_error", "ratelimited", "internal_error", "fatal_error", "service_unavailable",
     "request_timeout"}
)  # fmt: skip


class SlackFailure(IncidentError):
    """Slack refused or failed a call we needed; `code` is Slack's error, `retry_after` its
    Retry-After header (seconds) when it rate-limited us."""

    def __init__(self, message: str, code: str = "error", retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        """Worth trying again later (5xx, rate limit), as opposed to a refusal."""
        return self.code in TRANSIENT_SLACK_ERRORS
