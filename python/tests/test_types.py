"""Response models accept what gateways and OpenAI-compatible vendors actually send."""

from __future__ import annotations

import pytest

from meshapi import ChatCompletion, ChatCompletionChunk, Model


def test_completion_tolerates_unknown_fields_at_every_level() -> None:
    reply = ChatCompletion.model_validate(
        {
            "id": "c",
            "object": "chat.completion",
            "created": 1,
            "model": "openai/gpt-4o-mini",
            "service_tier": "default",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": "Hi", "annotations": []},
                    "logprobs": None,
                    "finish_reason": "stop",
                }
            ],
            "usage": {
                "prompt_tokens": 8,
                "completion_tokens": 6,
                "total_tokens": 14,
                "prompt_tokens_details": {"cached_tokens": 2, "cache_write_tokens": 1},
                "completion_tokens_details": {"reasoning_tokens": 3},
                "cost": 0.0000048,
            },
        }
    )

    assert reply.choices[0].message.content == "Hi"
    assert reply.choices[0].message.model_extra == {"annotations": []}
    assert reply.usage is not None
    assert reply.usage.prompt_tokens_details is not None
    assert reply.usage.prompt_tokens_details.cached_tokens == 2
    assert reply.usage.completion_tokens_details is not None
    assert reply.usage.completion_tokens_details.reasoning_tokens == 3
    assert reply.usage.cost == pytest.approx(0.0000048)
    assert reply.model_extra == {"service_tier": "default"}


def test_chunk_without_delta_and_with_tool_call_fragment() -> None:
    bare = ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "created": 1,
            "model": "m/x",
            "choices": [{"index": 0, "finish_reason": "stop"}],
        }
    )
    fragment = ChatCompletionChunk.model_validate(
        {
            "id": "c",
            "created": 1,
            "model": "m/x",
            "choices": [
                {
                    "index": 0,
                    "delta": {"tool_calls": [{"index": 1, "function": {"arguments": '{"ci'}}]},
                }
            ],
        }
    )

    assert bare.choices[0].delta.content is None
    [call] = fragment.choices[0].delta.tool_calls or []
    assert (call.index, call.id, call.function and call.function.arguments) == (1, None, '{"ci')


def test_model_entry_keeps_gateway_extras() -> None:
    model = Model.model_validate(
        {"id": "openai/gpt-4o", "object": "model", "pricing": {"input": 2.5}}
    )

    assert model.id == "openai/gpt-4o"
    assert model.model_extra == {"pricing": {"input": 2.5}}
