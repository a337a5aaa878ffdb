"""`client.chat.completions`: `create()` for a whole reply, `stream()` for chunks as they come."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, Union

from .._base import RequestSpec
from .._streaming import AsyncStream, Stream
from ..types.chat_completion import ChatCompletion
from ..types.chat_completion_chunk import ChatCompletionChunk
from ..types.chat_completion_params import ChatCompletionParams

if TYPE_CHECKING:
    from .._async_client import AsyncMeshAPI
    from .._client import MeshAPI

_PATH = "/v1/chat/completions"

ParamsInput = Union[ChatCompletionParams, Mapping[str, Any]]


def chat_request(
    params: Optional[ParamsInput], kwargs: Mapping[str, Any], *, stream: bool
) -> RequestSpec:
    """Validate the caller's parameters (a model, a mapping, or keyword arguments) and build the
    request; shared by the sync and async resources."""
    if params is not None and kwargs:
        raise TypeError("Pass either a ChatCompletionParams object or keyword arguments, not both")
    if params is None:
        params = kwargs
    if not isinstance(params, ChatCompletionParams):
        params = ChatCompletionParams.model_validate(dict(params))
    body: dict[str, Any] = params.model_dump(mode="json", exclude_none=True)
    if stream:
        body["stream"] = True
    elif body.get("stream"):
        raise ValueError(
            "create() returns a whole ChatCompletion and cannot stream: "
            "use client.chat.completions.stream(params) to receive chunks"
        )
    else:
        body.pop("stream", None)
    return RequestSpec("POST", _PATH, json_body=body, stream=stream)


class Completions:
    def __init__(self, client: MeshAPI) -> None:
        self._client = client

    def create(self, params: Optional[ParamsInput] = None, /, **kwargs: Any) -> ChatCompletion:
        """Send a chat completion and wait for the whole reply.

        Example::

            reply = client.chat.completions.create(
                model="openai/gpt-4o-mini",
                messages=[ChatMessage(role="user", content="Hello!")],
            )
            print(reply.choices[0].message.content)
        """
        return self._client._request(chat_request(params, kwargs, stream=False), ChatCompletion)

    def stream(
        self, params: Optional[ParamsInput] = None, /, **kwargs: Any
    ) -> Stream[ChatCompletionChunk]:
        """Stream a chat completion. The request is sent when iteration (or `with`) begins.

        Example::

            for chunk in client.chat.completions.stream(params):
                if chunk.choices:
                    print(chunk.choices[0].delta.content or "", end="")
        """
        spec = chat_request(params, kwargs, stream=True)
        return Stream(lambda: self._client._open_stream(spec), ChatCompletionChunk)


class AsyncCompletions:
    def __init__(self, client: AsyncMeshAPI) -> None:
        self._client = client

    async def create(
        self, params: Optional[ParamsInput] = None, /, **kwargs: Any
    ) -> ChatCompletion:
        """Send a chat completion and wait for the whole reply.

        Example::

            reply = await client.chat.completions.create(params)
        """
        spec = chat_request(params, kwargs, stream=False)
        return await self._client._request(spec, ChatCompletion)

    def stream(
        self, params: Optional[ParamsInput] = None, /, **kwargs: Any
    ) -> AsyncStream[ChatCompletionChunk]:
        """Stream a chat completion; not a coroutine, so it goes straight into `async for`. The
        request is sent when iteration (or `async with`) begins.

        Example::

            async for chunk in client.chat.completions.stream(params):
                if chunk.choices:
                    print(chunk.choices[0].delta.content or "", end="")
        """
        spec = chat_request(params, kwargs, stream=True)
        return AsyncStream(lambda: self._client._open_stream(spec), ChatCompletionChunk)


class Chat:
    def __init__(self, client: MeshAPI) -> None:
        self.completions = Completions(client)


class AsyncChat:
    def __init__(self, client: AsyncMeshAPI) -> None:
        self.completions = AsyncCompletions(client)
