"""Streamed requests against a real local HTTP server: chunk delivery, usage, in-band errors,
interruptions and timeouts. Every test runs with the sync and the async client."""

from __future__ import annotations

import pytest

from meshapi import ChatCompletionChunk, ChatCompletionParams, ChatMessage, ErrorCode, StreamOptions

from .conftest import DriverFactory
from .support.drivers import Driver
from .support.payloads import USAGE, chunk, completion, error_body
from .support.scripted_server import Exchange, Handler, ScriptedServer

PARAMS = ChatCompletionParams(
    model="openai/gpt-4o-mini", messages=[ChatMessage(role="user", content="Hi")]
)


def stream_of(*events: object, done: bool = True, end: bool = True) -> Handler:
    def handler(exchange: Exchange) -> None:
        exchange.start_stream({"x-request-id": "req_STREAM"})
        for event in events:
            exchange.send_event(event)
        if done:
            exchange.send_event("[DONE]")
        if end:
            exchange.end_stream()

    return handler


def texts(chunks: list[ChatCompletionChunk]) -> list[str]:
    return [c.choices[0].delta.content or "" for c in chunks if c.choices]


async def test_stream_yields_every_chunk_until_done(server: ScriptedServer, driver: Driver) -> None:
    server.script(stream_of(chunk("Hel"), chunk("lo"), chunk(finish_reason="stop", usage=USAGE)))

    chunks, error = await driver.stream(PARAMS)

    assert error is None
    assert texts(chunks) == ["Hel", "lo", ""]
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.cost == pytest.approx(0.00042)
    [request] = server.requests
    assert request.json() == {**PARAMS.model_dump(exclude_none=True), "stream": True}
    assert request.headers["accept"] == "text/event-stream"


async def test_usage_only_final_chunk_has_no_choices(
    server: ScriptedServer, driver: Driver
) -> None:
    server.script(
        stream_of(chunk("Hi"), chunk(finish_reason="stop"), chunk(usage=USAGE, choices=False))
    )
    params = PARAMS.model_copy(update={"stream_options": StreamOptions(include_usage=True)})

    chunks, error = await driver.stream(params)

    assert error is None
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None
    assert chunks[-1].usage.total_tokens == 7
    assert server.requests[0].json()["stream_options"] == {"include_usage": True}


async def test_error_frame_raises_after_the_chunks_before_it(
    server: ScriptedServer, driver: Driver
) -> None:
    frame = error_body("upstream_error", "Could not reach openai.")
    server.script(stream_of(chunk("partial "), frame))

    chunks, error = await driver.stream(PARAMS)

    assert texts(chunks) == ["partial "]
    assert error is not None
    assert (error.error_code, error.status, str(error)) == (
        "upstream_error",
        None,
        "Could not reach openai.",
    )
    assert error.request_id == "req_01TEST"


async def test_connection_cut_mid_stream_is_stream_interrupted_and_not_retried(
    server: ScriptedServer, driver: Driver
) -> None:
    server.script(stream_of(chunk("one "), chunk("two "), done=False, end=False))

    chunks, error = await driver.stream(PARAMS)

    assert texts(chunks) == ["one ", "two "]
    assert error is not None
    assert error.error_code == ErrorCode.STREAM_INTERRUPTED
    assert len(server.requests) == 1


async def test_stream_ending_without_done_is_stream_interrupted(
    server: ScriptedServer, driver: Driver
) -> None:
    server.script(stream_of(chunk("one "), done=False))

    chunks, error = await driver.stream(PARAMS)

    assert texts(chunks) == ["one "]
    assert error is not None
    assert error.error_code == ErrorCode.STREAM_INTERRUPTED
    assert error.request_id == "req_STREAM"


async def test_opening_a_stream_is_retried(server: ScriptedServer, driver: Driver) -> None:
    server.script(
        lambda ex: ex.respond(503, error_body("service_unavailable"), {"retry-after": "0"}),
        stream_of(chunk("ok")),
    )

    chunks, error = await driver.stream(PARAMS)

    assert (texts(chunks), error) == (["ok"], None)
    assert len(server.requests) == 2
    assert driver.sleeps == [0.0]


async def test_error_status_raises_from_the_stream(server: ScriptedServer, driver: Driver) -> None:
    server.script(lambda ex: ex.respond(401, error_body("unauthorized", "Invalid API key.")))

    chunks, error = await driver.stream(PARAMS)

    assert chunks == []
    assert error is not None
    assert (error.status, error.error_code) == (401, "unauthorized")


async def test_silence_mid_stream_is_a_timeout(
    server: ScriptedServer, make_driver: DriverFactory
) -> None:
    def first_chunk_then_silence(exchange: Exchange) -> None:
        exchange.start_stream()
        exchange.send_event(chunk("one "))
        exchange.hang()

    server.script(first_chunk_then_silence)

    chunks, error = await make_driver(timeout=0.2).stream(PARAMS)

    assert texts(chunks) == ["one "]
    assert error is not None
    assert error.error_code == ErrorCode.TIMEOUT
    assert len(server.requests) == 1


async def test_json_answer_to_a_stream_request_is_a_parse_error(
    server: ScriptedServer, driver: Driver
) -> None:
    server.script(lambda ex: ex.respond(200, completion()))

    chunks, error = await driver.stream(PARAMS)

    assert chunks == []
    assert error is not None
    assert error.error_code == ErrorCode.PARSE_ERROR


async def test_malformed_event_is_a_parse_error(server: ScriptedServer, driver: Driver) -> None:
    server.script(stream_of(chunk("one "), "{not json"))

    chunks, error = await driver.stream(PARAMS)

    assert texts(chunks) == ["one "]
    assert error is not None
    assert error.error_code == ErrorCode.PARSE_ERROR
    assert "{not json" in str(error)


async def test_events_after_done_are_ignored(server: ScriptedServer, driver: Driver) -> None:
    def done_then_more(exchange: Exchange) -> None:
        exchange.start_stream()
        exchange.send(b"data: [DONE]\n\ndata: {garbage\n\n")  # one read: parsed together
        exchange.send_event("{more garbage")
        exchange.end_stream()

    server.script(done_then_more)

    chunks, error = await driver.stream(PARAMS)

    assert (chunks, error) == ([], None)
