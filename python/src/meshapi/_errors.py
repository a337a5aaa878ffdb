"""The one exception type the SDK raises for failed requests, and the codes it adds itself.

Errors reported by the gateway keep the gateway's `code` (see the gateway's error catalog). The SDK
adds four codes of its own for failures that never produced a gateway error body.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Optional, TypedDict


class ErrorCode:
    """Codes the SDK produces itself; every other `error_code` comes from the server."""

    CONNECTION_ERROR = "connection_error"
    """The connection could not be made or broke before a response arrived."""
    TIMEOUT = "timeout"
    """No response (or no further stream data) within the client's `timeout`."""
    PARSE_ERROR = "parse_error"
    """The server answered with a body that is not the expected JSON."""
    STREAM_INTERRUPTED = "stream_interrupted"
    """A stream ended or broke before its `[DONE]` terminator."""


class ErrorDetail(TypedDict, total=False):
    """One entry of `details` on validation errors: `loc` is the path to the offending field."""

    type: str
    loc: list[Any]
    msg: str


class MeshAPIError(Exception):
    """Raised for every failed request. `str(error)` is the human-readable message.

    Example::

        try:
            client.chat.completions.create(params)
        except MeshAPIError as e:
            if e.error_code == "rate_limit_exceeded":
                print("retry in", e.retry_after_seconds, "s; request", e.request_id)
    """

    message: str
    status: Optional[int]
    """HTTP status, or None when no HTTP error status applies (connection errors, timeouts,
    stream interruptions and error frames sent in-band after a stream started)."""
    error_code: str
    error_type: Optional[str]
    param: Optional[str]
    request_id: Optional[str]
    details: list[ErrorDetail]
    provider_error: Optional[Any]
    retry_after_seconds: Optional[float]

    def __init__(
        self,
        message: str,
        *,
        error_code: str,
        status: Optional[int] = None,
        error_type: Optional[str] = None,
        param: Optional[str] = None,
        request_id: Optional[str] = None,
        details: Optional[Sequence[ErrorDetail]] = None,
        provider_error: Optional[Any] = None,
        retry_after_seconds: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_code = error_code
        self.error_type = error_type
        self.param = param
        self.request_id = request_id
        self.details = list(details) if details else []
        self.provider_error = provider_error
        self.retry_after_seconds = retry_after_seconds

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only arguments defeat Exception's default pickling, which replays `args`;
        # errors must survive multiprocessing and concurrent.futures process pools.
        return (_restore, (type(self), dict(self.__dict__)))

    def __repr__(self) -> str:
        return (
            f"MeshAPIError(error_code={self.error_code!r}, status={self.status!r}, "
            f"message={self.message!r}, request_id={self.request_id!r})"
        )


def _restore(cls: type[MeshAPIError], state: dict[str, Any]) -> MeshAPIError:
    error = cls.__new__(cls)
    Exception.__init__(error, state["message"])
    error.__dict__.update(state)
    return error
