"""The request body of `POST /v1/chat/completions`."""

from __future__ import annotations

from typing import Any, Literal, Optional, Union

from ._model import MeshModel
from .messages import ChatMessage
from .tools import Tool, ToolChoice


class ResponseFormat(MeshModel):
    """`type="json_object"`, or `type="json_schema"` with `json_schema={"name", "schema"}`."""

    type: Literal["text", "json_object", "json_schema"]
    json_schema: Optional[dict[str, Any]] = None


class StreamOptions(MeshModel):
    include_usage: Optional[bool] = None
    """Ask for usage on a separate final chunk with `choices: []` (otherwise usage comes with the
    chunk that carries `finish_reason`)."""


class CacheOptions(MeshModel):
    """The gateway's response cache for one request; pass it as `cache={"ttl": 60}`."""

    ttl: int
    """Seconds to keep this answer (an identical request within them is answered at cost 0);
    0 skips the cache."""


class ChatCompletionParams(MeshModel):
    """Parameters of a chat completion. Fields left as None are not sent.

    Example::

        ChatCompletionParams(
            model="openai/gpt-4o-mini",
            messages=[ChatMessage(role="user", content="Hello!")],
            temperature=0.7,
            models=["anthropic/claude-sonnet-4.5"],  # fallbacks, tried in order
        )
    """

    model: str
    """`provider/model`, e.g. `openai/gpt-4o-mini`."""
    messages: list[ChatMessage]
    temperature: Optional[float] = None
    max_tokens: Optional[int] = None
    max_completion_tokens: Optional[int] = None
    top_p: Optional[float] = None
    frequency_penalty: Optional[float] = None
    presence_penalty: Optional[float] = None
    stop: Union[str, list[str], None] = None
    seed: Optional[int] = None
    n: Optional[int] = None
    tools: Optional[list[Tool]] = None
    tool_choice: Union[Literal["none", "auto", "required"], ToolChoice, dict[str, Any], None] = None
    parallel_tool_calls: Optional[bool] = None
    response_format: Union[ResponseFormat, dict[str, Any], None] = None
    user: Optional[str] = None
    stream: Optional[bool] = None
    """Set by `chat.completions.stream()`; `create()` refuses `stream=True`."""
    stream_options: Optional[StreamOptions] = None

    # MeshAPI extensions: consumed by the gateway, never forwarded to the provider.
    template: Optional[str] = None
    """Name of a stored prompt template to render into the conversation."""
    variables: Optional[dict[str, Any]] = None
    """Values for the template's placeholders."""
    session_id: Optional[str] = None
    """Groups requests of one conversation in usage records."""
    models: Optional[list[str]] = None
    """Fallback models tried in order when `model` fails."""
    transforms: Optional[list[str]] = None
    """Named request transforms the gateway applies before routing."""
    cache: Optional[CacheOptions] = None
    """The gateway's response cache: `{"ttl": seconds}` (0 skips it)."""
