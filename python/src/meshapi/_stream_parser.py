"""Turns the bytes of a chat-completion SSE stream into chunk models (no I/O; shared by both
stream classes).

Rules, in order of arrival:
- `data: [DONE]` ends the stream; anything after it is ignored.
- an event whose JSON has a top-level `error` object is a failure reported in-band after the
  stream started: it is raised as `MeshAPIError` (the gateway never disguises errors as chunks);
- any other event must be a chunk; undecodable JSON is a `parse_error`;
- the bytes ending without `[DONE]` means the stream was cut: `stream_interrupted`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Generic, Optional, TypeVar

import httpx
import pydantic

from ._base import error_from_payload
from ._errors import ErrorCode, MeshAPIError
from ._sse import ServerSentEvent, SSEDecoder

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)

_DONE = "[DONE]"


def check_stream_response(response: httpx.Response) -> None:
    """A 2xx answer to a stream request must be an event stream (a proxy or a server that ignored
    `stream: true` would answer with JSON)."""
    content_type = response.headers.get("content-type", "")
    if not content_type.startswith("text/event-stream"):
        raise MeshAPIError(
            f"Expected a text/event-stream response, got {content_type or 'no content type'!r}",
            error_code=ErrorCode.PARSE_ERROR,
            status=response.status_code,
            request_id=response.headers.get("x-request-id"),
        )


class StreamParser(Generic[ModelT]):
    def __init__(self, model: type[ModelT], *, request_id: Optional[str] = None) -> None:
        self._model = model
        self._request_id = request_id
        self._decoder = SSEDecoder()
        self.done = False
        """True once `[DONE]` arrived; the caller can stop reading."""

    def feed(self, data: bytes) -> Iterator[ModelT]:
        """Yields the chunks completed by `data`; raises at an error frame (after the chunks that
        preceded it in the same read)."""
        return self._convert(self._decoder.feed(data))

    def finish(self) -> Iterator[ModelT]:
        """Call at end of input: flushes a last event, then fails if `[DONE]` never came."""
        yield from self._convert(self._decoder.end())
        if not self.done:
            raise MeshAPIError(
                "The stream ended before [DONE]: the connection was closed early",
                error_code=ErrorCode.STREAM_INTERRUPTED,
                request_id=self._request_id,
            )

    def _convert(self, events: list[ServerSentEvent]) -> Iterator[ModelT]:
        for event in events:
            if self.done:
                return
            data = event.data.strip()
            if data == _DONE:
                self.done = True
                return
            if not data:
                continue  # an empty event carries nothing (some servers send them as keep-alives)
            yield self._decode(data)

    def _decode(self, data: str) -> ModelT:
        try:
            payload = json.loads(data)
        except ValueError:
            raise MeshAPIError(
                f"Received a stream event that is not JSON: {data[:200]!r}",
                error_code=ErrorCode.PARSE_ERROR,
                request_id=self._request_id,
            ) from None
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            # In-band failure after the first byte: there is no HTTP error status to report.
            raise error_from_payload(payload, status=None, request_id=self._request_id)
        try:
            return self._model.model_validate(payload)
        except pydantic.ValidationError as exc:
            raise MeshAPIError(
                f"Received an unexpected stream event: {data[:200]!r}",
                error_code=ErrorCode.PARSE_ERROR,
                request_id=self._request_id,
            ) from exc
