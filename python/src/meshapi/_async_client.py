"""The asynchronous client: the same as `_client.MeshAPI`, awaiting `httpx.AsyncClient`. All
decisions (what to send, what a response means, whether to retry) are made in `_base`/`_retry`."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from types import TracebackType
from typing import Callable, Optional, Union

import httpx

from ._base import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    ClientConfig,
    ModelT,
    RequestSpec,
    build_request,
    error_from_response,
    error_from_transport,
    parse_model,
)
from ._errors import MeshAPIError
from ._retry import RetryPolicy
from ._stream_parser import check_stream_response
from .resources.chat import AsyncChat
from .resources.embeddings import AsyncEmbeddings
from .resources.models import AsyncModels


class AsyncMeshAPI:
    """Asynchronous MeshAPI client (asyncio).

    `base_url` and `token` fall back to the `MESHAPI_BASE_URL` and `MESHAPI_TOKEN` environment
    variables. Pass `httpx_client` to control proxies, TLS or connection limits; the client then
    leaves closing it to you.

    Example::

        async with AsyncMeshAPI(base_url="http://localhost:8080", token="rsk_...") as client:
            reply = await client.chat.completions.create(model="openai/gpt-4o-mini", messages=[...])
    """

    chat: AsyncChat
    models: AsyncModels
    embeddings: AsyncEmbeddings

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Union[float, httpx.Timeout] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        async_httpx_client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        self._config = ClientConfig.resolve(
            base_url=base_url, token=token, timeout=timeout, max_retries=max_retries
        )
        self._owns_http = async_httpx_client is None
        self._http = async_httpx_client if async_httpx_client is not None else httpx.AsyncClient()
        self._retry_policy = RetryPolicy()
        self._sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
        self.chat = AsyncChat(self)
        self.models = AsyncModels(self)
        self.embeddings = AsyncEmbeddings(self)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    async def aclose(self) -> None:
        """Close the connection pool (unless it belongs to a caller-given `async_httpx_client`)."""
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncMeshAPI:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.aclose()

    async def _request(self, spec: RequestSpec, model: type[ModelT]) -> ModelT:
        response = await self._send(spec)
        return parse_model(model, response.content, request_id=response.headers.get("x-request-id"))

    async def _open_stream(self, spec: RequestSpec) -> httpx.Response:
        response = await self._send(spec)
        try:
            check_stream_response(response)
        except MeshAPIError:
            await response.aclose()
            raise
        return response

    async def _send(self, spec: RequestSpec) -> httpx.Response:
        """Send with retries; returns a 2xx response (body still unread when `spec.stream`)."""
        retries_done = 0
        while True:
            outcome = await self._attempt(spec)
            if isinstance(outcome, httpx.Response):
                return outcome
            delay = self._retry_policy.delay_before_retry(
                outcome, retries_done, self._config.max_retries
            )
            if delay is None:
                raise outcome
            await self._sleep(delay)
            retries_done += 1

    async def _attempt(self, spec: RequestSpec) -> Union[httpx.Response, MeshAPIError]:
        request = build_request(self._http, self._config, spec)
        try:
            response = await self._http.send(request, stream=spec.stream)
        except httpx.TransportError as exc:
            return error_from_transport(exc)
        if response.is_success:
            return response
        try:
            body = await response.aread()
        except httpx.TransportError:
            body = b""  # the status alone still tells what happened
        finally:
            await response.aclose()
        return error_from_response(response, body)
