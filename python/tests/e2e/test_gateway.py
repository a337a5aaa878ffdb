"""The SDK against the real gateway (with the provider simulator upstream), sync and async:
replies, streams, tool calls, errors, and cancellation reaching the upstream request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from meshapi import (
    AsyncMeshAPI,
    ChatCompletionParams,
    ChatMessage,
    ErrorCode,
    MeshAPI,
    MeshAPIError,
    StreamOptions,
    Tool,
    ToolFunction,
)

from ..support.drivers import Driver
from .conftest import Stack, unique_marker

MODEL = "openai/gpt-4o-mini"
WEATHER_TOOL = Tool(
    function=ToolFunction(
        name="get_weather",
        parameters={
            "type": "object",
            "properties": {"city": {"type": "string"}},
            "required": ["city"],
        },
    )
)


def ask(text: str, **fields: object) -> ChatCompletionParams:
    return ChatCompletionParams(
        model=MODEL, messages=[ChatMessage(role="user", content=text)], **fields
    )


@pytest.fixture(params=["sync", "async"])
async def gateway(request: pytest.FixtureRequest, stack: Stack) -> AsyncIterator[Driver]:
    driver = Driver(request.param, stack.gateway_url, stack.token, max_retries=0)
    yield driver
    await driver.close()


async def test_create_returns_the_reply_with_usage_and_cost(gateway: Driver) -> None:
    reply = await gateway.create(ask("What is the capital of France?"))

    assert reply.choices[0].message.content == "The capital of France is Paris."
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model == MODEL
    assert reply.usage is not None
    assert reply.usage.total_tokens > 0
    assert reply.usage.cost is not None
    assert reply.usage.cost > 0


async def test_stream_delivers_words_and_usage_on_the_finish_chunk(gateway: Driver) -> None:
    chunks, error = await gateway.stream(ask("hello streaming world"))

    assert error is None
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "You said: hello streaming world"
    last = chunks[-1]
    assert last.choices[0].finish_reason == "stop"
    assert last.usage is not None
    assert last.usage.cost is not None


async def test_stream_with_include_usage_ends_with_a_usage_only_chunk(gateway: Driver) -> None:
    params = ask("hi", stream_options=StreamOptions(include_usage=True))

    chunks, error = await gateway.stream(params)

    assert error is None
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens > 0


async def test_tool_call_round_trip(gateway: Driver) -> None:
    params = ask("What is the weather in Paris?", tools=[WEATHER_TOOL], tool_choice="auto")

    first = await gateway.create(params)

    message = first.choices[0].message
    assert first.choices[0].finish_reason == "tool_calls"
    [call] = message.tool_calls or []
    assert (call.function.name, json.loads(call.function.arguments)) == (
        "get_weather",
        {"city": "Paris"},
    )
    follow_up = params.model_copy(
        update={
            "messages": [
                *params.messages,
                message,  # the reply goes back as is
                ChatMessage(role="tool", tool_call_id=call.id, content="sunny, 21 C"),
            ]
        }
    )
    second = await gateway.create(follow_up)
    assert second.choices[0].message.content == "Tool results: sunny, 21 C"


async def test_streamed_parallel_tool_calls_reassemble(gateway: Driver) -> None:
    params = ask("Weather in Lyon? [[sim:parallel=2]]", tools=[WEATHER_TOOL])

    chunks, error = await gateway.stream(params)

    assert error is None
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for fragment in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            call = calls.setdefault(fragment.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += fragment.id or ""
            if fragment.function:
                call["name"] += fragment.function.name or ""
                call["arguments"] += fragment.function.arguments or ""
    assert sorted(calls) == [0, 1]
    assert all(json.loads(c["arguments"]) == {"city": "Lyon"} for c in calls.values())
    assert all(c["name"] == "get_weather" and c["id"] for c in calls.values())


async def test_models_list(gateway: Driver) -> None:
    models = await gateway.models()

    assert MODEL in {m.id for m in models.data}


async def test_bad_token_is_unauthorized(stack: Stack, gateway: Driver) -> None:
    driver = Driver(gateway.kind, stack.gateway_url, "rsk_01INVALIDINVALIDINVALID00")
    try:
        _, error = await driver.stream(ask("hi"))
    finally:
        await driver.close()

    assert error is not None
    assert (error.status, error.error_code) == (401, "unauthorized")
    assert error.request_id is not None
    assert error.request_id.startswith("req_")


async def test_validation_error_lists_details(gateway: Driver) -> None:
    with pytest.raises(MeshAPIError) as caught:
        await gateway.create(model=MODEL, messages=[], temperature=1.5)

    error = caught.value
    assert (error.status, error.error_code) == (422, "validation_error")
    locations = [detail["loc"] for detail in error.details]
    assert ["body", "messages"] in locations


async def test_unknown_model(gateway: Driver) -> None:
    with pytest.raises(MeshAPIError) as caught:
        await gateway.create(model="nope/x", messages=[ChatMessage(role="user", content="hi")])

    assert (caught.value.status, caught.value.error_code) == (404, "model_not_found")


async def test_upstream_failure_carries_the_provider_error(gateway: Driver) -> None:
    with pytest.raises(MeshAPIError) as caught:
        await gateway.create(ask("hi [[sim:status=500]]"))

    error = caught.value
    assert (error.status, error.error_code) == (502, "upstream_error")
    assert error.provider_error is not None


async def test_upstream_rate_limit_is_retried_after_the_requested_wait(
    stack: Stack, gateway: Driver
) -> None:
    marker = unique_marker()
    driver = Driver(gateway.kind, stack.gateway_url, stack.token, max_retries=1)
    try:
        with pytest.raises(MeshAPIError) as caught:
            await driver.create(ask(f"{marker} [[sim:status=429,retry_after=1]]"))
    finally:
        await driver.close()

    assert (caught.value.status, caught.value.retry_after_seconds) == (429, 1)
    assert driver.sleeps == [1.0]


@pytest.mark.parametrize("fault", ["cut_after=3", "malformed_after=3"])
async def test_failure_mid_stream_raises_after_the_chunks(gateway: Driver, fault: str) -> None:
    chunks, error = await gateway.stream(ask(f"one two three four five [[sim:{fault}]]"))

    assert len(chunks) == 3
    assert error is not None
    assert (error.error_code, error.status) == ("upstream_error", None)
    assert error.request_id is not None
    assert error.request_id.startswith("req_")


async def test_client_timeout(stack: Stack, gateway: Driver) -> None:
    marker = unique_marker()
    driver = Driver(gateway.kind, stack.gateway_url, stack.token, timeout=0.3, max_retries=0)
    try:
        with pytest.raises(MeshAPIError) as caught:
            await driver.create(ask(f"{marker} [[sim:delay_ms=5000]]"))
    finally:
        await driver.close()

    assert caught.value.error_code == ErrorCode.TIMEOUT
    stack.wait_for_upstream(marker, lambda r: r["aborted"])  # the gateway gave up too


def test_sync_closing_a_stream_cancels_the_upstream(stack: Stack) -> None:
    marker = unique_marker()
    with MeshAPI(base_url=stack.gateway_url, token=stack.token) as client:
        stream = client.chat.completions.stream(
            ask(f"{marker} [[sim:words=50,chunk_delay_ms=100]]")
        )
        next(stream)
        stream.close()

        upstream = stack.wait_for_upstream(marker, lambda r: r["aborted"])
    assert not upstream["finished"]


async def test_async_leaving_the_loop_cancels_the_upstream(stack: Stack) -> None:
    marker = unique_marker()
    async with AsyncMeshAPI(base_url=stack.gateway_url, token=stack.token) as client:
        async with client.chat.completions.stream(
            ask(f"{marker} [[sim:words=50,chunk_delay_ms=100]]")
        ) as stream:
            async for _ in stream:
                break

        upstream = await asyncio.to_thread(stack.wait_for_upstream, marker, lambda r: r["aborted"])
    assert not upstream["finished"]


async def test_cancelling_the_task_cancels_the_upstream(stack: Stack) -> None:
    marker = unique_marker()
    async with AsyncMeshAPI(base_url=stack.gateway_url, token=stack.token) as client:
        task = asyncio.create_task(client.chat.completions.create(ask(f"{marker} [[sim:hang]]")))
        await asyncio.to_thread(stack.wait_for_upstream, marker)  # the request is upstream now

        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        await asyncio.to_thread(stack.wait_for_upstream, marker, lambda r: r["aborted"])
