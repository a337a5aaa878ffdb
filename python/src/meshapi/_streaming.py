"""`Stream` and `AsyncStream`: iterate the chunks of one streamed chat completion.

Both are thin I/O shells around `StreamParser`. The request is sent lazily, on the first
iteration or when the `with` block is entered, so `stream()` itself never blocks and the async
variant can be used directly in `async for`.

Closing matters: the gateway cancels the upstream request when the client connection goes away, so
every way of finishing early (`close()`, leaving a `with` block, cancelling the task, or dropping a
stream that was abandoned mid-loop) closes the HTTP response, which drops its connection.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Awaitable, Generator
from types import TracebackType
from typing import Callable, Generic, Optional, TypeVar

import httpx
import pydantic

from ._base import error_from_transport
from ._stream_parser import StreamParser

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)


class Stream(Generic[ModelT]):
    """An iterator of chunks; consumable once. Use it in a `with` block to close it promptly.

    Example::

        with client.chat.completions.stream(params) as stream:
            for chunk in stream:
                print(chunk.choices[0].delta.content or "", end="")
    """

    def __init__(self, open_response: Callable[[], httpx.Response], model: type[ModelT]) -> None:
        self._open_response = open_response
        self._model = model
        self._response: Optional[httpx.Response] = None
        self._iterator: Optional[Generator[ModelT, None, None]] = None
        self._closed = False

    @property
    def response(self) -> Optional[httpx.Response]:
        """The HTTP response, once the request was sent."""
        return self._response

    @property
    def request_id(self) -> Optional[str]:
        return self._response.headers.get("x-request-id") if self._response else None

    def __iter__(self) -> Stream[ModelT]:
        return self

    def __next__(self) -> ModelT:
        if self._iterator is None:
            self._iterator = self._iterate()
        return next(self._iterator)

    def __enter__(self) -> Stream[ModelT]:
        self._open()
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the stream and drop its connection; safe to call more than once."""
        self._closed = True
        if self._response is not None:
            self._response.close()
        if self._iterator is not None and not getattr(self._iterator, "gi_running", False):
            self._iterator.close()

    def _open(self) -> httpx.Response:
        if self._response is None:
            self._response = self._open_response()
        return self._response

    def _iterate(self) -> Generator[ModelT, None, None]:
        if self._closed:
            return
        response = self._open()
        parser = StreamParser(self._model, request_id=response.headers.get("x-request-id"))
        try:
            for data in response.iter_bytes():
                yield from parser.feed(data)
                if parser.done:
                    return
            yield from parser.finish()
        except httpx.TransportError as exc:
            if not self._closed:  # a read failing because close() was called is no error
                raise error_from_transport(exc, during_stream=True) from exc
        finally:
            # Runs on exhaustion, on errors, on close() and when an abandoned stream is collected.
            response.close()
            self._closed = True


class AsyncStream(Generic[ModelT]):
    """An async iterator of chunks; consumable once. Use it in `async with` to close it promptly.

    Example::

        async with client.chat.completions.stream(params) as stream:
            async for chunk in stream:
                print(chunk.choices[0].delta.content or "", end="")
    """

    def __init__(
        self, open_response: Callable[[], Awaitable[httpx.Response]], model: type[ModelT]
    ) -> None:
        self._open_response = open_response
        self._model = model
        self._response: Optional[httpx.Response] = None
        self._iterator: Optional[AsyncGenerator[ModelT, None]] = None
        self._closed = False

    @property
    def response(self) -> Optional[httpx.Response]:
        """The HTTP response, once the request was sent."""
        return self._response

    @property
    def request_id(self) -> Optional[str]:
        return self._response.headers.get("x-request-id") if self._response else None

    def __aiter__(self) -> AsyncStream[ModelT]:
        return self

    async def __anext__(self) -> ModelT:
        if self._iterator is None:
            self._iterator = self._iterate()
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncStream[ModelT]:
        await self._open()
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()

    async def close(self) -> None:
        """Stop the stream and drop its connection; safe to call more than once."""
        self._closed = True
        if self._response is not None:
            await self._response.aclose()
        if self._iterator is not None and not getattr(self._iterator, "ag_running", False):
            await self._iterator.aclose()

    aclose = close
    """Alias following the async-generator convention (works with `contextlib.aclosing`)."""

    async def _open(self) -> httpx.Response:
        if self._response is None:
            self._response = await self._open_response()
        return self._response

    async def _iterate(self) -> AsyncGenerator[ModelT, None]:
        if self._closed:
            return
        response = await self._open()
        parser = StreamParser(self._model, request_id=response.headers.get("x-request-id"))
        try:
            async for data in response.aiter_bytes():
                for item in parser.feed(data):
                    yield item
                if parser.done:
                    return
            for item in parser.finish():
                yield item
        except httpx.TransportError as exc:
            if not self._closed:  # a read failing because close() was called is no error
                raise error_from_transport(exc, during_stream=True) from exc
        finally:
            # Also reached when the task is cancelled or an abandoned stream is collected
            # (asyncio then finalizes the generator on the event loop).
            await response.aclose()
            self._closed = True
