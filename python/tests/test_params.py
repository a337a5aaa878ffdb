"""What `create()` and `stream()` send, built from models, mappings or keyword arguments."""

from __future__ import annotations

import pydantic
import pytest

from meshapi import (
    ChatCompletionParams,
    ChatMessage,
    FunctionCall,
    ImageURL,
    ImageURLContentPart,
    ResponseFormat,
    TextContentPart,
    Tool,
    ToolCall,
    ToolChoice,
    ToolChoiceFunction,
    ToolFunction,
)
from meshapi.resources.chat import chat_request
from meshapi.types import ChatCompletion

USER = ChatMessage(role="user", content="Hi")


def body(params: object = None, stream: bool = False, **kwargs: object) -> object:
    return chat_request(params, kwargs, stream=stream).json_body  # type: ignore[arg-type]


def test_every_documented_field_is_sent_under_its_wire_name() -> None:
    params = ChatCompletionParams(
        model="openai/gpt-4o",
        messages=[USER],
        temperature=0.2,
        max_tokens=64,
        top_p=0.9,
        frequency_penalty=0.1,
        presence_penalty=-0.1,
        stop=["\n\n"],
        seed=42,
        tools=[Tool(function=ToolFunction(name="f", parameters={"type": "object"}))],
        tool_choice=ToolChoice(function=ToolChoiceFunction(name="f")),
        response_format=ResponseFormat(type="json_object"),
        user="u-1",
        template="greeting",
        variables={"name": "Ada", "n": 2},
        session_id="s-1",
        models=["anthropic/claude-sonnet-4.5"],
        transforms=["middle-out"],
        cache={"ttl": 60},
    )

    assert body(params) == {
        "model": "openai/gpt-4o",
        "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.2,
        "max_tokens": 64,
        "top_p": 0.9,
        "frequency_penalty": 0.1,
        "presence_penalty": -0.1,
        "stop": ["\n\n"],
        "seed": 42,
        "tools": [
            {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
        ],
        "tool_choice": {"type": "function", "function": {"name": "f"}},
        "response_format": {"type": "json_object"},
        "user": "u-1",
        "template": "greeting",
        "variables": {"name": "Ada", "n": 2},
        "session_id": "s-1",
        "models": ["anthropic/claude-sonnet-4.5"],
        "transforms": ["middle-out"],
        "cache": {"ttl": 60},
    }


def test_unset_fields_are_not_sent_and_vendor_extras_are() -> None:
    params = ChatCompletionParams(model="m/x", messages=[USER], reasoning_effort="low")

    assert body(params) == {
        "model": "m/x",
        "messages": [{"role": "user", "content": "Hi"}],
        "reasoning_effort": "low",
    }


def test_messages_with_parts_tool_calls_and_tool_results() -> None:
    messages = [
        ChatMessage(
            role="user",
            content=[
                TextContentPart(text="What is this?"),
                ImageURLContentPart(image_url=ImageURL(url="data:image/png;base64,AA==")),
                {"type": "input_audio", "input_audio": {"data": "AA==", "format": "wav"}},
            ],
        ),
        ChatMessage(
            role="assistant",
            tool_calls=[ToolCall(id="call_1", function=FunctionCall(name="f", arguments="{}"))],
        ),
        ChatMessage(role="tool", tool_call_id="call_1", content="42"),
    ]

    assert body(model="m/x", messages=messages)["messages"] == [  # type: ignore[index]
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,AA=="}},
                {"type": "input_audio", "input_audio": {"data": "AA==", "format": "wav"}},
            ],
        },
        {
            "role": "assistant",
            "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
            ],
        },
        {"role": "tool", "content": "42", "tool_call_id": "call_1"},
    ]


def test_a_reply_message_can_be_sent_back_as_is() -> None:
    reply = ChatCompletion.model_validate(
        {
            "id": "c",
            "created": 1,
            "model": "m/x",
            "choices": [
                {
                    "message": {
                        "role": "assistant",
                        "content": None,
                        "refusal": None,
                        "tool_calls": [
                            {
                                "id": "call_9",
                                "type": "function",
                                "function": {"name": "f", "arguments": "{}"},
                            }
                        ],
                    }
                }
            ],
        }
    )
    messages = [USER, reply.choices[0].message]

    assert body(model="m/x", messages=messages)["messages"][1] == {  # type: ignore[index]
        "role": "assistant",
        "tool_calls": [
            {"id": "call_9", "type": "function", "function": {"name": "f", "arguments": "{}"}}
        ],
    }


def test_keyword_arguments_and_mappings_equal_the_model() -> None:
    expected = body(ChatCompletionParams(model="m/x", messages=[USER], temperature=1))

    assert (
        body(model="m/x", messages=[{"role": "user", "content": "Hi"}], temperature=1) == expected
    )
    assert body({"model": "m/x", "messages": [USER], "temperature": 1}) == expected


def test_stream_sets_stream_true_and_create_refuses_it() -> None:
    params = ChatCompletionParams(model="m/x", messages=[USER], stream=True)

    assert body(params, stream=True)["stream"] is True  # type: ignore[index]
    assert chat_request(params, {}, stream=True).stream
    with pytest.raises(ValueError, match=r"chat\.completions\.stream\(params\)"):
        body(params)
    assert "stream" not in body(params.model_copy(update={"stream": False}))  # type: ignore[operator]


def test_params_and_keyword_arguments_together_are_refused() -> None:
    with pytest.raises(TypeError, match="not both"):
        body(ChatCompletionParams(model="m/x", messages=[USER]), temperature=1)


def test_invalid_parameters_fail_before_anything_is_sent() -> None:
    with pytest.raises(pydantic.ValidationError):
        body(model="m/x", messages=[{"role": "robot", "content": "Hi"}])
    with pytest.raises(pydantic.ValidationError):
        body(messages=[USER])  # no model
