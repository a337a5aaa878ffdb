"""Every way of stopping early must drop the HTTP connection (that is what makes the gateway cancel
the upstream request), and clients must release what they own. The server records when the client
side of the connection goes away; waiting on that is bounded, so a leak fails the test."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from meshapi import AsyncMeshAPI, ChatCompletionParams, ChatMessage, MeshAPI

from .support.drivers import TOKEN
from .support.payloads import chunk, completion
from .support.scripted_server import STOP_TIMEOUT, Exchange, ScriptedServer

PARAMS = ChatCompletionParams(
    model="openai/gpt-4o-mini", messages=[ChatMessage(role="user", content="Hi")]
)


def one_chunk_then_wait(exchange: Exchange) -> None:
    exchange.start_stream()
    exchange.send_event(chunk("first "))
    exchange.wait_for_disconnect()


@pytest.fixture
def streaming_server(server: ScriptedServer) -> ScriptedServer:
    server.script(one_chunk_then_wait)
    return server


@pytest.fixture
def client(streaming_server: ScriptedServer) -> Iterator[MeshAPI]:
    with MeshAPI(base_url=streaming_server.url, token=TOKEN) as sync_client:
        yield sync_client


@pytest.fixture
async def aclient(streaming_server: ScriptedServer) -> AsyncIterator[AsyncMeshAPI]:
    async with AsyncMeshAPI(base_url=streaming_server.url, token=TOKEN) as async_client:
        yield async_client


async def disconnected(server: ScriptedServer) -> bool:
    # Waits off the event loop, so an async close scheduled on the loop can still run.
    return await asyncio.to_thread(server.disconnected.wait, STOP_TIMEOUT)


def test_sync_close_drops_the_connection(client: MeshAPI, streaming_server: ScriptedServer) -> None:
    stream = client.chat.completions.stream(PARAMS)
    assert next(stream).choices[0].delta.content == "first "

    stream.close()

    assert streaming_server.disconnected.wait(STOP_TIMEOUT)
    assert list(stream) == []  # a closed stream is finished


def test_sync_closing_an_opened_but_unread_stream_drops_the_connection(
    client: MeshAPI, streaming_server: ScriptedServer
) -> None:
    stream = client.chat.completions.stream(PARAMS).__enter__()

    stream.close()

    assert streaming_server.disconnected.wait(STOP_TIMEOUT)


def test_sync_with_block_drops_the_connection(
    client: MeshAPI, streaming_server: ScriptedServer
) -> None:
    with client.chat.completions.stream(PARAMS) as stream:
        for _ in stream:
            break

    assert streaming_server.disconnected.wait(STOP_TIMEOUT)


def test_sync_leaving_the_loop_drops_the_connection(
    client: MeshAPI, streaming_server: ScriptedServer
) -> None:
    for _ in client.chat.completions.stream(PARAMS):
        break
    gc.collect()  # CPython already closed it when the loop let go; this covers other runtimes

    assert streaming_server.disconnected.wait(STOP_TIMEOUT)


def test_sync_stream_sends_nothing_until_iterated(
    client: MeshAPI, streaming_server: ScriptedServer
) -> None:
    stream = client.chat.completions.stream(PARAMS)
    assert streaming_server.requests == []
    stream.close()
    assert list(stream) == []
    assert streaming_server.requests == []


async def test_async_close_drops_the_connection(
    aclient: AsyncMeshAPI, streaming_server: ScriptedServer
) -> None:
    stream = aclient.chat.completions.stream(PARAMS)
    first = await stream.__anext__()
    assert first.choices[0].delta.content == "first "

    await stream.close()

    assert await disconnected(streaming_server)
    assert [c async for c in stream] == []


async def test_async_closing_an_opened_but_unread_stream_drops_the_connection(
    aclient: AsyncMeshAPI, streaming_server: ScriptedServer
) -> None:
    stream = await aclient.chat.completions.stream(PARAMS).__aenter__()

    await stream.aclose()

    assert await disconnected(streaming_server)


async def test_async_with_block_drops_the_connection(
    aclient: AsyncMeshAPI, streaming_server: ScriptedServer
) -> None:
    async with aclient.chat.completions.stream(PARAMS) as stream:
        async for _ in stream:
            break

    assert await disconnected(streaming_server)


async def test_async_leaving_the_loop_drops_the_connection(
    aclient: AsyncMeshAPI, streaming_server: ScriptedServer
) -> None:
    async for _ in aclient.chat.completions.stream(PARAMS):
        break
    gc.collect()  # asyncio then closes the abandoned generator on the loop

    assert await disconnected(streaming_server)


async def test_cancelling_the_task_drops_the_stream_connection(
    aclient: AsyncMeshAPI, streaming_server: ScriptedServer
) -> None:
    got_first = asyncio.Event()
    stream = aclient.chat.completions.stream(PARAMS)  # still referenced after the task ends

    async def consume() -> None:
        async for _ in stream:
            got_first.set()

    task = asyncio.create_task(consume())
    await got_first.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await disconnected(streaming_server)


async def test_cancelling_a_pending_create_drops_the_connection(
    aclient: AsyncMeshAPI, server: ScriptedServer
) -> None:
    server.script(Exchange.hang)
    task = asyncio.create_task(aclient.chat.completions.create(PARAMS))
    await asyncio.to_thread(lambda: _wait_for_requests(server, 1))

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert await disconnected(server)


def _wait_for_requests(server: ScriptedServer, count: int) -> None:
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        if len(server.requests) >= count:
            return
        time.sleep(0.01)
    raise AssertionError("the request never reached the server")


def test_owned_http_client_is_closed_and_a_given_one_is_not(server: ScriptedServer) -> None:
    server.script(lambda ex: ex.respond(200, completion()))
    with MeshAPI(base_url=server.url, token=TOKEN) as owned:
        owned.chat.completions.create(PARAMS)
    assert owned._http.is_closed

    given = httpx.Client(headers={"x-custom": "kept"})
    with MeshAPI(base_url=server.url, token=TOKEN, httpx_client=given) as borrowing:
        borrowing.chat.completions.create(PARAMS)
    assert not given.is_closed
    assert server.requests[-1].headers["x-custom"] == "kept"
    given.close()


async def test_async_owned_client_is_closed_and_a_given_one_is_not(server: ScriptedServer) -> None:
    server.script(lambda ex: ex.respond(200, completion()))
    async with AsyncMeshAPI(base_url=server.url, token=TOKEN) as owned:
        await owned.chat.completions.create(PARAMS)
    assert owned._http.is_closed

    given = httpx.AsyncClient(headers={"x-custom": "kept"})
    async with AsyncMeshAPI(
        base_url=server.url, token=TOKEN, async_httpx_client=given
    ) as borrowing:
        await borrowing.chat.completions.create(PARAMS)
    assert not given.is_closed
    assert server.requests[-1].headers["x-custom"] == "kept"
    await given.aclose()
