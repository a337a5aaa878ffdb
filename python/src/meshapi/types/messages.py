"""Messages and the tool calls they carry (request side; responses reuse `ToolCall`)."""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

from ._model import MeshModel


class TextContentPart(MeshModel):
    type: Literal["text"] = "text"
    text: str


class ImageURL(MeshModel):
    url: str
    """An http(s) URL or a `data:<mime>;base64,...` URL."""
    detail: Optional[Literal["auto", "low", "high"]] = None


class ImageURLContentPart(MeshModel):
    type: Literal["image_url"] = "image_url"
    image_url: ImageURL


ContentPart = Union[TextContentPart, ImageURLContentPart, dict[str, Any]]
"""A typed text or image part, or any other part (audio, file, ...) as a plain dict."""


class FunctionCall(MeshModel):
    name: str
    arguments: str
    """JSON-encoded arguments, exactly as the model produced them (may be invalid JSON)."""


class ToolCall(MeshModel):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


Role = Literal["system", "developer", "user", "assistant", "tool"]


class ChatMessage(MeshModel):
    """One conversation message.

    Example::

        ChatMessage(role="user", content="What is the capital of France?")
        ChatMessage(role="tool", tool_call_id="call_1", content='{"temp_c": 21}')
    """

    role: Role
    content: Union[str, list[ContentPart], None] = None
    name: Optional[str] = None
    tool_call_id: Optional[str] = None
    """Required on `tool` messages: the id of the call this message answers."""
    tool_calls: Optional[list[ToolCall]] = None
    """Set on `assistant` messages that called tools (content may then be None)."""
