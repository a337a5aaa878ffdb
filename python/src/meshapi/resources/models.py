"""`client.models`: the models the gateway can route to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._base import RequestSpec
from ..types.model import ModelList

if TYPE_CHECKING:
    from .._async_client import AsyncMeshAPI
    from .._client import MeshAPI

_LIST = RequestSpec("GET", "/v1/models")


class Models:
    def __init__(self, client: MeshAPI) -> None:
        self._client = client

    def list(self) -> ModelList:
        """Example: `[m.id for m in client.models.list().data]`"""
        return self._client._request(_LIST, ModelList)


class AsyncModels:
    def __init__(self, client: AsyncMeshAPI) -> None:
        self._client = client

    async def list(self) -> ModelList:
        """Example: `[m.id for m in (await client.models.list()).data]`"""
        return await self._client._request(_LIST, ModelList)
