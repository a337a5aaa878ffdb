"""When to retry a failed request and how long to wait first (no I/O; shared by both clients).

Retried: connection errors and timeouts (no response arrived) and the statuses that signal a
transient condition: 408, 429, 502, 503, 504. A server-sent `Retry-After` (header, or the error
body's `retry_after_seconds`) is honoured exactly; otherwise the wait grows exponentially with
jitter so that many clients failing together do not retry in lock-step. A stream is only retried
while it is being opened: once its first byte arrived, a failure is raised to the caller.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Callable, Optional

from ._errors import ErrorCode, MeshAPIError

RETRYABLE_STATUSES = frozenset({408, 429, 502, 503, 504})
_RETRYABLE_CODES = frozenset({ErrorCode.CONNECTION_ERROR, ErrorCode.TIMEOUT})


@dataclass(frozen=True)
class RetryPolicy:
    initial_delay: float = 0.5
    max_delay: float = 8.0
    # A longer Retry-After is not slept through: the error is raised with `retry_after_seconds`
    # so the caller decides (a blocked client is worse than an explicit, actionable error).
    max_retry_after: float = 60.0
    jitter: float = 0.25
    random: Callable[[], float] = random.random

    def is_retryable(self, error: MeshAPIError) -> bool:
        if error.status is not None:
            return error.status in RETRYABLE_STATUSES
        return error.error_code in _RETRYABLE_CODES

    def delay_before_retry(
        self, error: MeshAPIError, retries_done: int, max_retries: int
    ) -> Optional[float]:
        """Seconds to wait before the next attempt, or None when `error` is final."""
        if retries_done >= max_retries or not self.is_retryable(error):
            return None
        if error.retry_after_seconds is not None:
            if error.retry_after_seconds > self.max_retry_after:
                return None
            return max(0.0, error.retry_after_seconds)
        backoff = min(self.initial_delay * (2.0**retries_done), self.max_delay)
        return backoff * (1.0 - self.jitter * self.random())
