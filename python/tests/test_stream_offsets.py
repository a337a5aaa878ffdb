"""The whole stream path (client → httpx → SSE decoder → chunk models) with the transport
delivering recorded gateway streams cut at every byte offset; sync and async. httpx's
MockTransport stands in for the network because only the parsing is under test here."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from meshapi import AsyncMeshAPI, ChatCompletionChunk, MeshAPI

from .support.recorded import RecordedStream, recorded_streams, splits_at_every_offset

# CRLF puts a chunk boundary between CR and LF; the tool-call recording has interleaved fragments.
STREAMS = [
    s for s in recorded_streams() if s.name in {"gateway-text-crlf", "gateway-tool-calls-lf"}
]
BASE_URL = "http://gateway.test"
PARAMS = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


class Pieces(httpx.SyncByteStream, httpx.AsyncByteStream):
    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = pieces

    def __iter__(self) -> Iterator[bytes]:
        yield from self._pieces

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for piece in self._pieces:
            yield piece


class SplitTransport:
    """Answers every request with the current `pieces` as an event stream."""

    def __init__(self) -> None:
        self.pieces: list[bytes] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        headers = {"content-type": "text/event-stream"}
        return httpx.Response(200, headers=headers, stream=Pieces(self.pieces))


def expected_chunks(stream: RecordedStream) -> list[ChatCompletionChunk]:
    return [ChatCompletionChunk.model_validate_json(p) for p in stream.payloads[:-1]]


def test_premise_streams_selected() -> None:
    assert len(STREAMS) == 2
    assert all(s.payloads[-1] == "[DONE]" for s in STREAMS)


@pytest.mark.parametrize("stream", STREAMS, ids=lambda s: s.name)
def test_sync_stream_at_every_offset(stream: RecordedStream) -> None:
    transport = SplitTransport()
    expected = expected_chunks(stream)

    with httpx.Client(transport=httpx.MockTransport(transport)) as http:
        client = MeshAPI(base_url=BASE_URL, token="rsk_x", httpx_client=http)
        for pieces in splits_at_every_offset(stream.raw):
            transport.pieces = pieces
            chunks = list(client.chat.completions.stream(PARAMS))
            assert chunks == expected, [len(p) for p in pieces]


@pytest.mark.parametrize("stream", STREAMS, ids=lambda s: s.name)
async def test_async_stream_at_every_offset(stream: RecordedStream) -> None:
    transport = SplitTransport()
    expected = expected_chunks(stream)

    async with httpx.AsyncClient(transport=httpx.MockTransport(transport)) as http:
        client = AsyncMeshAPI(base_url=BASE_URL, token="rsk_x", async_httpx_client=http)
        for pieces in splits_at_every_offset(stream.raw):
            transport.pieces = pieces
            chunks = [chunk async for chunk in client.chat.completions.stream(PARAMS)]
            assert chunks == expected, [len(p) for p in pieces]


def test_tool_call_fragments_reassemble() -> None:
    [stream] = [s for s in STREAMS if "tool" in s.name]
    arguments: dict[int, str] = {}
    names: dict[int, str] = {}
    for chunk in expected_chunks(stream):
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            if call.function and call.function.name:
                names[call.index] = call.function.name
            if call.function and call.function.arguments:
                arguments[call.index] = arguments.get(call.index, "") + call.function.arguments

    assert names == {0: "get_weather", 1: "get_weather"}
    assert arguments == {0: '{"city":"Lyon"}', 1: '{"city":"Lyon"}'}
