"""One interface over the sync and the async client, so each behaviour is tested once and run
against both. The sync client is called directly (its blocking calls talk to servers that run
on other threads)."""

from __future__ import annotations

from typing import Any, Optional, Union

from meshapi import AsyncMeshAPI, ChatCompletion, ChatCompletionChunk, MeshAPI, MeshAPIError
from meshapi.types import CreateEmbeddingResponse, ModelList

TOKEN = "rsk_01TESTTOKEN"


class Driver:
    def __init__(self, kind: str, base_url: str, token: str = TOKEN, **options: Any) -> None:
        self.kind = kind
        self.sleeps: list[float] = []
        self.client: Union[MeshAPI, AsyncMeshAPI]
        if kind == "sync":
            self.client = MeshAPI(base_url=base_url, token=token, **options)
            self.client._sleep = self.sleeps.append
        else:
            self.client = AsyncMeshAPI(base_url=base_url, token=token, **options)

            async def record(delay: float) -> None:
                self.sleeps.append(delay)

            self.client._sleep = record

    async def create(self, params: Any = None, **kwargs: Any) -> ChatCompletion:
        if isinstance(self.client, MeshAPI):
            return self.client.chat.completions.create(params, **kwargs)
        return await self.client.chat.completions.create(params, **kwargs)

    async def embed(self, params: Any = None, **kwargs: Any) -> CreateEmbeddingResponse:
        if isinstance(self.client, MeshAPI):
            return self.client.embeddings.create(params, **kwargs)
        return await self.client.embeddings.create(params, **kwargs)

    async def models(self) -> ModelList:
        if isinstance(self.client, MeshAPI):
            return self.client.models.list()
        return await self.client.models.list()

    async def stream(
        self, params: Any = None, **kwargs: Any
    ) -> tuple[list[ChatCompletionChunk], Optional[MeshAPIError]]:
        """All chunks of a stream, and the error that ended it (None when it completed)."""
        chunks: list[ChatCompletionChunk] = []
        try:
            if isinstance(self.client, MeshAPI):
                for chunk in self.client.chat.completions.stream(params, **kwargs):
                    chunks.append(chunk)
            else:
                async for async_chunk in self.client.chat.completions.stream(params, **kwargs):
                    chunks.append(async_chunk)
        except MeshAPIError as error:
            return chunks, error
        return chunks, None

    async def close(self) -> None:
        if isinstance(self.client, MeshAPI):
            self.client.close()
        else:
            await self.client.aclose()
