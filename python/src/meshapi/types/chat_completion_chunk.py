"""One event of a streamed chat completion."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import Field

from ._model import MeshModel
from .chat_completion import Usage


class ChoiceDeltaToolCallFunction(MeshModel):
    name: Optional[str] = None
    arguments: Optional[str] = None
    """A fragment of the JSON arguments; concatenate the fragments of one `index`."""


class ChoiceDeltaToolCall(MeshModel):
    """A fragment of a tool call. The first fragment of a call carries `id`, `type` and the
    function name; later ones only `index` and more `function.arguments`."""

    index: int
    id: Optional[str] = None
    type: Optional[str] = None
    function: Optional[ChoiceDeltaToolCallFunction] = None


class ChoiceDelta(MeshModel):
    role: Optional[str] = None
    content: Optional[str] = None
    refusal: Optional[str] = None
    tool_calls: Optional[list[ChoiceDeltaToolCall]] = None


class ChunkChoice(MeshModel):
    index: int = 0
    delta: ChoiceDelta = Field(default_factory=ChoiceDelta)
    finish_reason: Optional[str] = None
    logprobs: Optional[dict[str, Any]] = None


class ChatCompletionChunk(MeshModel):
    id: str
    object: str = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    """Empty on the usage-only chunk sent when `stream_options.include_usage` is set."""
    usage: Optional[Usage] = None
    """Present on the chunk with `finish_reason`, or on the final `choices: []` chunk."""
    system_fingerprint: Optional[str] = None
