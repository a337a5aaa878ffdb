"""Everything both clients do that involves no I/O: configuration, building requests, turning
responses and transport failures into results or `MeshAPIError`s.

The sync (`_client.py`) and async (`_async_client.py`) clients only send, sleep and read; every
decision lives here so the two cannot drift apart.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Optional, TypeVar, Union, cast

import httpx
import pydantic

from ._errors import ErrorCode, ErrorDetail, MeshAPIError
from ._version import __version__

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)

BASE_URL_ENV = "MESHAPI_BASE_URL"
TOKEN_ENV = "MESHAPI_TOKEN"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2

# Used only when an error body carries no `code` (e.g. a proxy or a plain OpenAI-style error).
_CODE_BY_STATUS: dict[int, str] = {
    400: "invalid_request",
    401: "unauthorized",
    402: "spend_limit_exceeded",
    403: "forbidden",
    404: "not_found",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limit_exceeded",
    500: "internal_error",
    502: "upstream_error",
    503: "service_unavailable",
    504: "gateway_timeout",
}


@dataclass(frozen=True)
class ClientConfig:
    base_url: str  # origin (plus any path prefix), without a trailing "/v1"
    token: str
    timeout: httpx.Timeout
    max_retries: int

    @classmethod
    def resolve(
        cls,
        *,
        base_url: Optional[str],
        token: Optional[str],
        timeout: Union[float, httpx.Timeout],
        max_retries: int,
    ) -> ClientConfig:
        """Apply environment fallbacks and validate, so a misconfiguration fails at construction."""
        base_url = base_url or os.environ.get(BASE_URL_ENV)
        if not base_url:
            raise ValueError(
                f"MeshAPI base_url is missing: pass base_url=... or set {BASE_URL_ENV} "
                "(for example http://localhost:8080)."
            )
        token = token or os.environ.get(TOKEN_ENV)
        if not token:
            raise ValueError(
                f"MeshAPI token is missing: pass token=... or set {TOKEN_ENV} (an rsk_... key)."
            )
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        return cls(
            base_url=_normalize_base_url(base_url),
            token=token,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout),
            max_retries=max_retries,
        )


def _normalize_base_url(base_url: str) -> str:
    url = base_url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"MeshAPI base_url must start with http:// or https://, got {base_url!r}")
    # Accept the OpenAI-style ".../v1" too: every path below already starts with /v1.
    if url.endswith("/v1"):
        url = url[: -len("/v1")]
    return url


@dataclass(frozen=True)
class RequestSpec:
    """A request before it is handed to httpx; `stream` selects SSE handling of the response."""

    method: str
    path: str
    json_body: Optional[Mapping[str, Any]] = None
    stream: bool = False


def build_request(
    http: Union[httpx.Client, httpx.AsyncClient], config: ClientConfig, spec: RequestSpec
) -> httpx.Request:
    headers = {
        "Authorization": f"Bearer {config.token}",
        "Accept": "text/event-stream" if spec.stream else "application/json",
        "User-Agent": f"meshapi-python/{__version__}",
    }
    content: Optional[bytes] = None
    if spec.json_body is not None:
        headers["Content-Type"] = "application/json"
        content = json.dumps(spec.json_body, ensure_ascii=False, separators=(",", ":")).encode()
    return http.build_request(
        spec.method,
        config.base_url + spec.path,
        headers=headers,
        content=content,
        timeout=config.timeout,
    )


def error_from_transport(exc: httpx.TransportError, *, during_stream: bool = False) -> MeshAPIError:
    """Map an httpx transport failure to a stable error code."""
    if isinstance(exc, httpx.TimeoutException):
        what = "stream data" if during_stream else "a response"
        return MeshAPIError(f"Timed out waiting for {what}: {exc}", error_code=ErrorCode.TIMEOUT)
    if during_stream:
        return MeshAPIError(
            f"The stream was interrupted before it completed: {exc or type(exc).__name__}",
            error_code=ErrorCode.STREAM_INTERRUPTED,
        )
    return MeshAPIError(
        f"Could not reach MeshAPI: {exc or type(exc).__name__}",
        error_code=ErrorCode.CONNECTION_ERROR,
    )


def error_from_response(response: httpx.Response, body: bytes) -> MeshAPIError:
    """Build the error for a non-2xx response from its status, headers and (read) body."""
    status = response.status_code
    header_request_id = response.headers.get("x-request-id")
    header_retry_after = parse_retry_after(response.headers)
    try:
        payload = json.loads(body) if body else None
    except ValueError:
        return MeshAPIError(
            f"HTTP {status} with a non-JSON body: {_snippet(body)}",
            error_code=ErrorCode.PARSE_ERROR,
            status=status,
            request_id=header_request_id,
            retry_after_seconds=header_retry_after,
        )
    error = error_from_payload(payload, status=status, request_id=header_request_id)
    if error.retry_after_seconds is None:
        error.retry_after_seconds = header_retry_after
    return error


def error_from_payload(
    payload: Any, *, status: Optional[int], request_id: Optional[str] = None
) -> MeshAPIError:
    """Build an error from a decoded error envelope: an HTTP error body, or an in-band stream
    frame (`status=None`). Tolerates OpenAI-style bodies (`code: null`) and `{"error": "text"}`."""
    envelope: dict[str, Any] = payload if isinstance(payload, dict) else {}
    raw_error = envelope.get("error")
    fields: dict[str, Any] = raw_error if isinstance(raw_error, dict) else {}
    if status is None:
        fallback_code, fallback_message = "stream_error", "The stream reported an error"
    else:
        fallback_code, fallback_message = (
            _CODE_BY_STATUS.get(status, "http_error"),
            f"HTTP {status}",
        )
    if isinstance(raw_error, str) and raw_error:
        fallback_message = raw_error
    retry_after = fields.get("retry_after_seconds")
    return MeshAPIError(
        _str_or_none(fields.get("message")) or fallback_message,
        error_code=_str_or_none(fields.get("code")) or fallback_code,
        status=status,
        error_type=_str_or_none(fields.get("type")),
        param=_str_or_none(fields.get("param")),
        request_id=_str_or_none(envelope.get("request_id")) or request_id,
        details=_details(fields.get("details")),
        provider_error=fields.get("provider_error"),
        retry_after_seconds=_seconds(retry_after),
    )


def parse_retry_after(headers: httpx.Headers) -> Optional[float]:
    """The server's requested wait in seconds: `retry-after-ms` (a common non-standard header),
    else `Retry-After` as delta-seconds or an HTTP date. None when absent or unreadable."""
    millis = _seconds(headers.get("retry-after-ms"))
    if millis is not None:
        return millis / 1000.0
    value = headers.get("retry-after")
    if value is None or not value.strip():
        return None
    seconds = _seconds(value)
    if seconds is not None:
        return seconds
    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _seconds(value: Any) -> Optional[float]:
    """A finite, non-negative number (given as a number or numeric text), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


def parse_model(model: type[ModelT], body: bytes, *, request_id: Optional[str]) -> ModelT:
    """Decode a successful JSON body into `model`; anything unexpected becomes a `parse_error`."""
    try:
        return model.model_validate_json(body)
    except pydantic.ValidationError as exc:
        raise MeshAPIError(
            f"Unexpected {model.__name__} response: {_validation_summary(exc)}; body: "
            f"{_snippet(body)}",
            error_code=ErrorCode.PARSE_ERROR,
            request_id=request_id,
        ) from exc


def _validation_summary(exc: pydantic.ValidationError) -> str:
    first = exc.errors()[0]
    location = ".".join(str(part) for part in first["loc"]) or "body"
    return f"{location}: {first['msg']}"


def _details(value: Any) -> list[ErrorDetail]:
    if not isinstance(value, list):
        return []
    # Kept as the server sent them (plain dicts), so fields added later are not lost.
    return cast(list[ErrorDetail], [item for item in value if isinstance(item, dict)])


def _str_or_none(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def _snippet(body: bytes, limit: int = 200) -> str:
    text = body.decode("utf-8", errors="replace").strip()
    return text if len(text) <= limit else text[:limit] + "…"
