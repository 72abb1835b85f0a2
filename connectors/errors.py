"""Error types shared by every connector.

The ingestion pipeline decides what to do from the type alone: authentication errors are never
retried, rate limits are retried after `retry_after`, transient errors with backoff, bad responses
are reported with the field and the position in the payload.
"""

from __future__ import annotations


class ConnectorError(Exception):
    """Base class of everything a connector raises on purpose."""

    retryable = False

    def __init__(self, message: str, *, platform: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.platform = platform


class ConfigurationError(ConnectorError):
    """The connector's configuration is missing a field or has an invalid value."""


class AuthenticationError(ConnectorError):
    """Credentials rejected, expired or lacking permission. Never retried."""


class AccountUnavailableError(ConnectorError):
    """The platform refuses the account itself (cancelled, closed, not yet enabled): neither a
    retry nor new credentials help. Never retried; the account keeps its credentials."""

    def __init__(
        self, message: str, *, account_id: str | None = None, platform: str | None = None
    ) -> None:
        super().__init__(message, platform=platform)
        self.account_id = account_id


class RateLimitedError(ConnectorError):
    """The platform asked us to slow down; retry after `retry_after` seconds."""

    retryable = True

    def __init__(
        self, message: str, *, retry_after: float | None = None, platform: str | None = None
    ) -> None:
        super().__init__(message, platform=platform)
        self.retry_after = retry_after


class TransientError(ConnectorError):
    """A failure that may succeed on a later attempt (5xx, timeout, dropped connection)."""

    retryable = True


class BadResponseError(ConnectorError):
    """The platform answered something we cannot parse; names the field and where it was."""

    def __init__(
        self,
        message: str,
        *,
        field: str,
        position: str,
        platform: str | None = None,
    ) -> None:
        super().__init__(f"{message} (field {field!r} at {position})", platform=platform)
        self.field = field
        self.position = position
