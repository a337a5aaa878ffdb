"""Non-streamed requests against a real local HTTP server: what is sent, what comes back, errors and
retries. Every test runs with the sync and the async client."""

from __future__ import annotations

import socket

import pytest

from meshapi import ChatCompletionParams, ChatMessage, ErrorCode, MeshAPIError

from .conftest import DriverFactory
from .support.drivers import TOKEN, Driver
from .support.payloads import completion, error_body
from .support.scripted_server import Exchange, Handler, ScriptedServer

PARAMS = ChatCompletionParams(
    model="openai/gpt-4o-mini", messages=[ChatMessage(role="user", content="Hi")]
)


def ok(exchange: Exchange) -> None:
    exchange.respond(200, completion("Hello!"), {"x-request-id": "req_OK"})


def fail(status: int, body: object = None, **headers: str) -> Handler:
    def handler(exchange: Exchange) -> None:
        exchange.respond(status, body if body is not None else error_body("x"), headers)

    return handler


async def test_create_sends_only_set_fields_and_parses_the_reply(
    server: ScriptedServer, driver: Driver
) -> None:
    server.script(lambda ex: ex.respond(200, completion("Paris.", unknown_field={"a": 1})))
    params = ChatCompletionParams(
        model="openai/gpt-4o-mini",
        messages=[ChatMessage(role="user", content="Capital of France?")],
        temperature=0.7,
        session_id="sess-1",
        models=["openai/gpt-4o"],
    )

    reply = await driver.create(params)

    assert reply.choices[0].message.content == "Paris."
    assert reply.usage is not None
    assert reply.usage.cost == pytest.approx(0.00042)
    assert reply.model_extra == {"unknown_field": {"a": 1}}
    [request] = server.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("meshapi-python/")
    assert request.json() == {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Capital of France?"}],
        "temperature": 0.7,
        "session_id": "sess-1",
        "models": ["openai/gpt-4o"],
    }


async def test_create_accepts_keyword_arguments(server: ScriptedServer, driver: Driver) -> None:
    server.script(ok)

    reply = await driver.create(
        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": "Hi"}], seed=7
    )

    assert reply.choices[0].message.content == "Hello!"
    assert server.requests[0].json() == {
        "model": "openai/gpt-4o-mini",
        "messages": [{"role": "user", "content": "Hi"}],
        "seed": 7,
    }


async def test_base_url_with_trailing_v1_is_accepted(
    server: ScriptedServer, make_driver: DriverFactory
) -> None:
    server.script(ok)
    await make_driver(base_url=server.url + "/v1/").create(PARAMS)

    assert server.requests[0].path == "/v1/chat/completions"


async def test_models_list(server: ScriptedServer, driver: Driver) -> None:
    server.script(
        lambda ex: ex.respond(
            200, {"object": "list", "data": [{"id": "openai/gpt-4o", "pricing": {"input": 2.5}}]}
        )
    )

    models = await driver.models()

    assert [m.id for m in models.data] == ["openai/gpt-4o"]
    assert models.data[0].model_extra == {"pricing": {"input": 2.5}}
    assert (server.requests[0].method, server.requests[0].path) == ("GET", "/v1/models")


async def test_error_envelope_becomes_meshapi_error(server: ScriptedServer, driver: Driver) -> None:
    details = [{"type": "too_small", "loc": ["body", "messages"], "msg": "must not be empty"}]
    body = error_body(
        "validation_error", "Invalid request: check messages.", param="messages", details=details
    )
    server.script(fail(422, body, **{"x-request-id": "req_HEADER"}))

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    error = caught.value
    assert str(error) == "Invalid request: check messages."
    assert (error.status, error.error_code, error.param) == (422, "validation_error", "messages")
    assert error.request_id == "req_01TEST"  # the body's id wins over the header's
    assert error.details == details
    assert len(server.requests) == 1


async def test_non_json_error_body_is_a_parse_error(
    server: ScriptedServer, make_driver: DriverFactory
) -> None:
    server.script(fail(502, b"<html>Bad Gateway</html>", **{"content-type": "text/html"}))

    with pytest.raises(MeshAPIError) as caught:
        await make_driver(max_retries=0).create(PARAMS)

    assert (caught.value.status, caught.value.error_code) == (502, ErrorCode.PARSE_ERROR)
    assert "<html>Bad Gateway</html>" in str(caught.value)


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
async def test_transient_statuses_are_retried_with_backoff(
    server: ScriptedServer, driver: Driver, status: int
) -> None:
    server.script(fail(status), ok)

    reply = await driver.create(PARAMS)

    assert reply.choices[0].message.content == "Hello!"
    assert len(server.requests) == 2
    [delay] = driver.sleeps
    assert 0.375 <= delay <= 0.5  # first backoff step (0.5 s) minus up to 25 % jitter


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"retry-after": "7"}, 7.0), ({"retry-after-ms": "250"}, 0.25)],
)
async def test_retry_after_is_honoured(
    server: ScriptedServer, driver: Driver, headers: dict[str, str], expected: float
) -> None:
    server.script(fail(429, error_body("rate_limit_exceeded"), **headers), ok)

    await driver.create(PARAMS)

    assert driver.sleeps == [expected]


async def test_a_retry_after_beyond_a_minute_is_raised_not_slept(
    server: ScriptedServer, driver: Driver
) -> None:
    body = error_body("rate_limit_exceeded", retry_after_seconds=3600)
    server.script(fail(429, body, **{"retry-after": "3600"}), ok)

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    assert caught.value.retry_after_seconds == 3600
    assert driver.sleeps == []
    assert len(server.requests) == 1


async def test_gives_up_after_max_retries(server: ScriptedServer, driver: Driver) -> None:
    server.script(fail(503, error_body("service_unavailable")))

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    assert (caught.value.status, caught.value.error_code) == (503, "service_unavailable")
    assert len(server.requests) == 3  # the first attempt and max_retries=2 retries
    first, second = driver.sleeps
    assert 0.375 <= first <= 0.5
    assert 0.75 <= second <= 1.0


@pytest.mark.parametrize("status", [400, 401, 402, 403, 404, 413, 422, 500])
async def test_other_errors_are_not_retried(
    server: ScriptedServer, driver: Driver, status: int
) -> None:
    server.script(fail(status))

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    assert caught.value.status == status
    assert len(server.requests) == 1


async def test_unreachable_server_is_a_retried_connection_error(
    make_driver: DriverFactory,
) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens on it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    driver = make_driver(base_url=f"http://127.0.0.1:{port}", max_retries=1)

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    assert (caught.value.error_code, caught.value.status) == (ErrorCode.CONNECTION_ERROR, None)
    assert len(driver.sleeps) == 1


async def test_connection_closed_without_answer_is_a_retried_connection_error(
    server: ScriptedServer, driver: Driver
) -> None:
    server.script(lambda ex: None)  # the handler returns: the server closes the socket

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    assert caught.value.error_code == ErrorCode.CONNECTION_ERROR
    assert len(server.requests) == 3


async def test_no_answer_within_timeout_is_a_timeout_error(
    server: ScriptedServer, make_driver: DriverFactory
) -> None:
    server.script(Exchange.hang)
    driver = make_driver(timeout=0.2, max_retries=1)

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    assert (caught.value.error_code, caught.value.status) == (ErrorCode.TIMEOUT, None)
    assert len(server.requests) == 2  # timeouts are retried like connection errors


async def test_unexpected_success_body_is_a_parse_error(
    server: ScriptedServer, driver: Driver
) -> None:
    server.script(lambda ex: ex.respond(200, {"unexpected": True}, {"x-request-id": "req_X"}))

    with pytest.raises(MeshAPIError) as caught:
        await driver.create(PARAMS)

    assert (caught.value.error_code, caught.value.request_id) == (ErrorCode.PARSE_ERROR, "req_X")
