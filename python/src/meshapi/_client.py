"""The synchronous client: sends requests with `httpx.Client`, sleeps between retries. All
decisions (what to send, what a response means, whether to retry) are made in `_base`/`_retry`."""

from __future__ import annotations

import time
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
from .resources.chat import Chat
from .resources.embeddings import Embeddings
from .resources.models import Models


class MeshAPI:
    """Synchronous MeshAPI client.

    `base_url` and `token` fall back to the `MESHAPI_BASE_URL` and `MESHAPI_TOKEN` environment
    variables. Pass `httpx_client` to control proxies, TLS or connection limits; the client then
    leaves closing it to you.

    Example::

        with MeshAPI(base_url="http://localhost:8080", token="rsk_...") as client:
            reply = client.chat.completions.create(model="openai/gpt-4o-mini", messages=[...])
    """

    chat: Chat
    models: Models
    embeddings: Embeddings

    def __init__(
        self,
        *,
        base_url: Optional[str] = None,
        token: Optional[str] = None,
        timeout: Union[float, httpx.Timeout] = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        httpx_client: Optional[httpx.Client] = None,
    ) -> None:
        self._config = ClientConfig.resolve(
            base_url=base_url, token=token, timeout=timeout, max_retries=max_retries
        )
        self._owns_http = httpx_client is None
        self._http = httpx_client if httpx_client is not None else httpx.Client()
        self._retry_policy = RetryPolicy()
        self._sleep: Callable[[float], None] = time.sleep
        self.chat = Chat(self)
        self.models = Models(self)
        self.embeddings = Embeddings(self)

    @property
    def base_url(self) -> str:
        return self._config.base_url

    def close(self) -> None:
        """Close the connection pool (unless it belongs to a caller-supplied `httpx_client`)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> MeshAPI:
        return self

    def __exit__(
        self,
        exc_type: Optional[type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()

    def _request(self, spec: RequestSpec, model: type[ModelT]) -> ModelT:
        response = self._send(spec)
        return parse_model(model, response.content, request_id=response.headers.get("x-request-id"))

    def _open_stream(self, spec: RequestSpec) -> httpx.Response:
        response = self._send(spec)
        try:
            check_stream_response(response)
        except MeshAPIError:
            response.close()
            raise
        return response

    def _send(self, spec: RequestSpec) -> httpx.Response:
        """Send with retries; returns a 2xx response (body still unread when `spec.stream`)."""
        retries_done = 0
        while True:
            outcome = self._attempt(spec)
            if isinstance(outcome, httpx.Response):
                return outcome
            delay = self._retry_policy.delay_before_retry(
                outcome, retries_done, self._config.max_retries
            )
            if delay is None:
                raise outcome
            self._sleep(delay)
            retries_done += 1

    def _attempt(self, spec: RequestSpec) -> Union[httpx.Response, MeshAPIError]:
        request = build_request(self._http, self._config, spec)
        try:
            response = self._http.send(request, stream=spec.stream)
        except httpx.TransportError as exc:
            return error_from_transport(exc)
        if response.is_success:
            return response
        try:
            body = response.read()
        except httpx.TransportError:
            body = b""  # the status alone still tells what happened
        finally:
            response.close()
        return error_from_response(response, body)
