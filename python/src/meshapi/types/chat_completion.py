"""The response of a non-streamed chat completion."""

from __future__ import annotations

from typing import Any, Literal, Optional

from ._model import MeshModel
from .messages import ChatMessage


class PromptTokensDetails(MeshModel):
    cached_tokens: Optional[int] = None
    audio_tokens: Optional[int] = None


class CompletionTokensDetails(MeshModel):
    reasoning_tokens: Optional[int] = None
    audio_tokens: Optional[int] = None
    accepted_prediction_tokens: Optional[int] = None
    rejected_prediction_tokens: Optional[int] = None


class Usage(MeshModel):
    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    prompt_tokens_details: Optional[PromptTokensDetails] = None
    completion_tokens_details: Optional[CompletionTokensDetails] = None
    cost: Optional[float] = None
    """Price of the request in USD, present when the gateway knows the model's price."""


class ChatCompletionMessage(ChatMessage):
    """The assistant's reply. It is a `ChatMessage`, so it can be appended to the next request's
    `messages` as is (e.g. to answer its tool calls)."""

    role: Literal["assistant"] = "assistant"
    content: Optional[str] = None  # replies are always plain text
    refusal: Optional[str] = None


class Choice(MeshModel):
    index: int = 0
    message: ChatCompletionMessage
    finish_reason: Optional[str] = None
    """`stop`, `length`, `tool_calls` or `content_filter`."""
    logprobs: Optional[dict[str, Any]] = None


class ChatCompletion(MeshModel):
    id: str
    object: str = "chat.completion"
    created: int
    model: str
    """The requested `provider/model`, as the gateway echoes it."""
    choices: list[Choice]
    usage: Optional[Usage] = None
    system_fingerprint: Optional[str] = None
