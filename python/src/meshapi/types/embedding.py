"""`POST /v1/embeddings`: request parameters and the response."""

from __future__ import annotations

from typing import Literal, Optional, Union

from pydantic import Field

from ._model import MeshModel


class EmbeddingParams(MeshModel):
    model: str
    """`provider/model`, e.g. `openai/text-embedding-3-small` or `google/gemini-embedding-001`."""
    input: Union[str, list[str], list[int], list[list[int]]]
    """One text, a list of texts, one list of token ids, or a list of those.

    Token ids reach OpenAI-compatible vendors only; Gemini embeds text."""
    encoding_format: Optional[Literal["float", "base64"]] = None
    """`float` (the default) or `base64` (little-endian float32)."""
    dimensions: Optional[int] = Field(default=None, ge=1)
    user: Optional[str] = None
    session_id: Optional[str] = None
    """MeshAPI: groups requests in usage reports."""


class Embedding(MeshModel):
    object: str = "embedding"
    index: int
    """Position of the input this vector belongs to."""
    embedding: Union[list[float], str]
    """The vector, or a base64 string when `encoding_format="base64"`."""


class EmbeddingUsage(MeshModel):
    prompt_tokens: int
    total_tokens: int
    cost: Optional[float] = None
    """MeshAPI: USD, when the gateway knows the model's price."""
    estimated: Optional[bool] = None
    """MeshAPI: true when the gateway counted the tokens because the vendor reported none."""


class CreateEmbeddingResponse(MeshModel):
    object: str = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage
