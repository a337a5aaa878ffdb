"""Request and response models (pydantic v2)."""

from .chat_completion import (
    ChatCompletion,
    ChatCompletionMessage,
    Choice,
    CompletionTokensDetails,
    PromptTokensDetails,
    Usage,
)
from .chat_completion_chunk import (
    ChatCompletionChunk,
    ChoiceDelta,
    ChoiceDeltaToolCall,
    ChoiceDeltaToolCallFunction,
    ChunkChoice,
)
from .chat_completion_params import ChatCompletionParams, ResponseFormat, StreamOptions
from .embedding import CreateEmbeddingResponse, Embedding, EmbeddingParams, EmbeddingUsage
from .messages import (
    ChatMessage,
    ContentPart,
    FunctionCall,
    ImageURL,
    ImageURLContentPart,
    Role,
    TextContentPart,
    ToolCall,
)
from .model import Model, ModelList
from .tools import Tool, ToolChoice, ToolChoiceFunction, ToolFunction

__all__ = [
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
    "CompletionTokensDetails",
    "ContentPart",
    "CreateEmbeddingResponse",
    "Embedding",
    "EmbeddingParams",
    "EmbeddingUsage",
    "FunctionCall",
    "ImageURL",
    "ImageURLContentPart",
    "Model",
    "ModelList",
    "PromptTokensDetails",
    "ResponseFormat",
    "Role",
    "StreamOptions",
    "TextContentPart",
    "Tool",
    "ToolCall",
    "ToolChoice",
    "ToolChoiceFunction",
    "ToolFunction",
    "Usage",
]
