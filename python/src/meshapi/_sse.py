"""Incremental Server-Sent Events decoder working on raw bytes.

The decoder is fed whatever byte chunks the transport delivers. Chunk boundaries can fall anywhere:
inside a line, inside a multi-byte UTF-8 character, or between the CR and LF of a CRLF line ending.
Lines are split on bytes (every SSE delimiter is ASCII, so a multi-byte character is never cut by
a line boundary) and only complete lines are decoded as UTF-8.

It follows the WHATWG event-stream rules (CR, LF and CRLF line endings; `:` comments; multi-line
`data` joined with LF; one optional space after the colon; a leading byte-order mark is ignored)
with one deliberate leniency: an event still pending when the stream ends is dispatched, because
some servers close the connection right after the last `data:` line without a blank line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

_LINE_END = re.compile(rb"\r\n|\r|\n")
_BOM = "\ufeff"


@dataclass(frozen=True)
class ServerSentEvent:
    """One dispatched event. `event` is None when the stream did not name it."""

    data: str
    event: Optional[str] = None
    id: Optional[str] = None
    retry: Optional[int] = None


class SSEDecoder:
    """Turns a byte stream into `ServerSentEvent`s; call `feed` per chunk and `end` once at EOF."""

    def __init__(self) -> None:
        self._pending = b""  # bytes of the current, not yet terminated line
        self._skip_leading_lf = False  # the previous chunk ended with CR: an LF now completes CRLF
        self._at_stream_start = True
        self._data: list[str] = []
        self._event: Optional[str] = None
        self._id: Optional[str] = None
        self._retry: Optional[int] = None

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        events: list[ServerSentEvent] = []
        if not chunk:
            return events
        if self._skip_leading_lf:
            self._skip_leading_lf = False
            if chunk[:1] == b"\n":
                chunk = chunk[1:]
        buffer = self._pending + chunk if self._pending else chunk
        start = 0
        for match in _LINE_END.finditer(buffer):
            # A CR as the very last byte may be the first half of a CRLF split across chunks.
            if match.group() == b"\r" and match.end() == len(buffer):
                self._skip_leading_lf = True
            self._process_line(buffer[start : match.start()], events)
            start = match.end()
        self._pending = buffer[start:]
        return events

    def end(self) -> list[ServerSentEvent]:
        """Flush at end of stream: a final unterminated line and a pending event are dispatched."""
        events: list[ServerSentEvent] = []
        if self._pending:
            self._process_line(self._pending, events)
            self._pending = b""
        self._dispatch(events)
        return events

    def _process_line(self, raw: bytes, events: list[ServerSentEvent]) -> None:
        line = raw.decode("utf-8", errors="replace")
        if self._at_stream_start:
            self._at_stream_start = False
            if line.startswith(_BOM):
                line = line[1:]
        if not line:
            self._dispatch(events)
            return
        if line.startswith(":"):
            return  # comment, often used as a keep-alive
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self._retry = int(value)

    def _dispatch(self, events: list[ServerSentEvent]) -> None:
        if self._data:
            events.append(
                ServerSentEvent(
                    data="\n".join(self._data), event=self._event, id=self._id, retry=self._retry
                )
            )
        # `id` persists across events per the spec; everything else is per event.
        self._data = []
        self._event = None
        self._retry = None
