"""MeshAPI Python SDK: sync and async clients for the MeshAPI gateway's OpenAI-compatible API.

Example::

    from meshapi import MeshAPI, ChatCompletionParams, ChatMessage

    client = MeshAPI(base_url="http://localhost:8080", token="rsk_...")
    reply = client.chat.completions.create(
        ChatCompletionParams(
            model="openai/gpt-4o-mini",
            messages=[ChatMessage(role="user", content="Hello!")],
        )
    )
"""

from ._async_client import AsyncMeshAPI
from ._client import MeshAPI
from ._errors import ErrorCode, ErrorDetail, MeshAPIError
from ._streaming import AsyncStream, Stream
from ._version import __version__
from .types import (
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionMessage,
    ChatCompletionParams,
    ChatMessage,
    Choice,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    ChunkChoice,
    CreateEmbeddingResponse,
    Embedding,
    EmbeddingParams,
    EmbeddingUsage,
    FunctionCall,
    ImageURL,
    ImageURLContentPart,
    Model,
    ModelList,
    ResponseFormat,
    StreamOptions,
    TextContentPart,
    Tool,
    ToolCall,
    ToolChoice,
    ToolChoiceFunction,
    ToolFunction,
    Usage,
)

__all__ = [
    "AsyncMeshAPI",
    "AsyncStream",
    "ChatCompletion",
    "ChatCompletionChunk",
    "ChatCompletionMessage",
    "ChatCompletionParams",
    "ChatMessage",
    "Choice",
    "ChoiceDelta",
    "ChoiceDeltaToolCall",
    "ChoiceDeltaToolCallFunction",
    "ChunkChoice",
    "CreateEmbeddingResponse",
    "Embedding",
    "EmbeddingParams",
    "EmbeddingUsage",
    "ErrorCode",
    "ErrorDetail",
    "FunctionCall",
    "ImageURL",
    "ImageURLContentPart",
    "MeshAPI",
    "MeshAPIError",
    "Model",
    "ModelList",
    "ResponseFormat",
    "Stream",
    "StreamOptions",
    "TextContentPart",
    "Tool",
    "ToolCall",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolFunction",
    "Usage",
    "__version__",
]
