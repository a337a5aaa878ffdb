"""The byte-level SSE decoder: recorded gateway streams re-split at every byte offset (which puts a
boundary inside every multi-byte character and between every CR and LF), plus the event-stream
rules one at a time."""

from __future__ import annotations

import pytest

from meshapi._sse import ServerSentEvent, SSEDecoder

from .support.recorded import RecordedStream, recorded_streams, splits_at_every_offset

STREAMS = recorded_streams()


def decode(*chunks: bytes) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.end()


def test_recorded_streams_contain_multibyte_text_and_every_line_ending() -> None:
    # Guards the premise of the offset tests below.
    raw = b"".join(s.raw for s in STREAMS)
    assert "🌍".encode() in raw
    assert "日本語".encode() in raw
    assert {s.name.rsplit("-", 1)[-1] for s in STREAMS} >= {"lf", "crlf", "cr", "comments", "bom"}


@pytest.mark.parametrize("stream", STREAMS, ids=lambda s: s.name)
def test_recorded_stream_decodes_identically_at_every_split(stream: RecordedStream) -> None:
    expected = [ServerSentEvent(data=p) for p in stream.payloads]
    assert decode(stream.raw) == expected
    for chunks in splits_at_every_offset(stream.raw):
        assert decode(*chunks) == expected, f"split into {[len(c) for c in chunks]}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b"data: a\ndata: b\n\n", ["a\nb"]),  # multi-line data joins with LF
        (b"data:x\n\n", ["x"]),  # the space after the colon is optional
        (b"data:  two\n\n", [" two"]),  # only one space is removed
        (b"data\n\n", [""]),  # a field name without colon has an empty value
        (b"data:\n\n", [""]),
        (b": only a comment\n\n", []),
        (b"\n\n\n", []),  # blank lines without data dispatch nothing
        (b"event: x\n\n", []),
        (b"unknown: field\ndata: kept\n\n", ["kept"]),
        (b"data: a\r\n\r\ndata: b\r\rdata: c\n\n", ["a", "b", "c"]),  # mixed line endings
        (b"data: caf\xc3\xa9 \xff\n\n", ["café \ufffd"]),  # invalid UTF-8 is replaced, not fatal
        (b"data: last", ["last"]),  # unterminated line at EOF still counts
    ],
)
def test_event_stream_rules(raw: bytes, expected: list[str]) -> None:
    assert [event.data for event in decode(raw)] == expected


def test_event_id_and_retry_fields() -> None:
    events = decode(b"event: delta\nid: 7\nretry: 1500\ndata: one\n\ndata: two\n\nretry: x\n\n")

    assert events == [
        ServerSentEvent(data="one", event="delta", id="7", retry=1500),
        ServerSentEvent(data="two", id="7"),  # the last event id persists; the name does not
    ]


def test_cr_at_the_end_of_a_chunk_is_not_a_blank_line_with_the_next_lf() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\ndata: b\r") == []  # the LF completes CRLF; no dispatch yet
    assert decoder.feed(b"\r") == [ServerSentEvent(data="a\nb")]  # CR CR: end of line + blank
    assert decoder.end() == []


def test_events_are_dispatched_as_soon_as_their_blank_line_arrives() -> None:
    decoder = SSEDecoder()
    assert decoder.feed(b"data: first\n") == []
    assert decoder.feed(b"\n") == [ServerSentEvent(data="first")]
