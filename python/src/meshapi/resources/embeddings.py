"""`client.embeddings`: vectors for texts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Optional, Union

from .._base import RequestSpec
from ..types.embedding import CreateEmbeddingResponse, EmbeddingParams

if TYPE_CHECKING:
    from .._async_client import AsyncMeshAPI
    from .._client import MeshAPI

ParamsInput = Union[EmbeddingParams, Mapping[str, Any]]


def embeddings_request(params: Optional[ParamsInput], kwargs: Mapping[str, Any]) -> RequestSpec:
    """Validate the caller's parameters (a model, a mapping, or keyword arguments).

    Shared by the sync and async resources."""
    if params is not None and kwargs:
        raise TypeError("Pass either an EmbeddingParams object or keyword arguments, not both")
    if params is None:
        params = kwargs
    if not isinstance(params, EmbeddingParams):
        params = EmbeddingParams.model_validate(dict(params))
    body: dict[str, Any] = params.model_dump(mode="json", exclude_none=True)
    return RequestSpec("POST", "/v1/embeddings", json_body=body)


class Embeddings:
    def __init__(self, client: MeshAPI) -> None:
        self._client = client

    def create(
        self, params: Optional[ParamsInput] = None, /, **kwargs: Any
    ) -> CreateEmbeddingResponse:
        """Embed one or more inputs.

        Example::

            res = client.embeddings.create(model="openai/text-embedding-3-small", input=["a", "b"])
            print(len(res.data[0].embedding), res.usage.cost)
        """
        return self._client._request(embeddings_request(params, kwargs), CreateEmbeddingResponse)


class AsyncEmbeddings:
    def __init__(self, client: AsyncMeshAPI) -> None:
        self._client = client

    async def create(
        self, params: Optional[ParamsInput] = None, /, **kwargs: Any
    ) -> CreateEmbeddingResponse:
        """Embed one or more inputs.

        Example::

            res = await client.embeddings.create(model="openai/text-embedding-3-small", input="hi")
        """
        return await self._client._request(
            embeddings_request(params, kwargs), CreateEmbeddingResponse
        )
