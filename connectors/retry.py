"""The one retry/backoff policy shared by all connectors."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from connectors.errors import RateLimitedError, TransientError

T = TypeVar("T")
log = logging.getLogger(__name__)


@dataclass
class RetryPolicy:
    """Exponential backoff with full jitter; honours a rate limit's retry-after.

    Authentication and bad-response errors pass straight through: retrying cannot fix them.
    """

    max_attempts: int = 6
    base_delay: float = 1.0
    max_delay: float = 120.0
    jitter: bool = True
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def delay(self, attempt: int, error: Exception) -> float:
        """Seconds to wait before attempt number `attempt + 1` (attempt counts from 1)."""
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        if self.jitter:
            backoff = random.uniform(backoff / 2, backoff)
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None:
            backoff = max(backoff, min(float(retry_after), self.max_delay))
        return backoff

    def call(self, fn: Callable[[], T], *, what: str = "request") -> T:
        """Run `fn`, retrying rate limits and transient errors up to `max_attempts` in all."""
        attempt = 1
        while True:
            try:
                return fn()
            except (RateLimitedError, TransientError) as exc:
                if attempt >= self.max_attempts:
                    raise
                wait = self.delay(attempt, exc)
                log.warning(
                    "%s failed (%s: %s); attempt %d/%d, retrying in %.2fs",
                    what,
                    type(exc).__name__,
                    exc.message,
                    attempt,
                    self.max_attempts,
                    wait,
                )
                self.sleep(wait)
                attempt += 1


NO_RETRY = RetryPolicy(max_attempts=1)
