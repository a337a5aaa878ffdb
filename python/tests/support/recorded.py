"""Streams recorded from the real gateway (tests/fixtures/*.sse) and line-ending variants of them,
each paired with the event payloads any correct decoder must produce."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@dataclass(frozen=True)
class RecordedStream:
    name: str
    raw: bytes
    payloads: list[str]
    """The `data` of every event, in order (the final one is `[DONE]`)."""


def _payloads(lf_stream: bytes) -> list[str]:
    # Oracle for the recorded files only: one `data: ` line per event, events separated by \n\n.
    blocks = [b for b in lf_stream.decode("utf-8").split("\n\n") if b.strip()]
    return [block.removeprefix("data: ") for block in blocks]


def _variants(name: str, lf: bytes) -> list[RecordedStream]:
    payloads = _payloads(lf)
    with_comments = b": keep-alive\n\n" + lf.replace(b"\n\ndata:", b"\n\n: ping\n\ndata:")
    return [
        RecordedStream(f"{name}-lf", lf, payloads),
        RecordedStream(f"{name}-crlf", lf.replace(b"\n", b"\r\n"), payloads),
        RecordedStream(f"{name}-cr", lf.replace(b"\n", b"\r"), payloads),
        RecordedStream(f"{name}-comments", with_comments, payloads),
        RecordedStream(f"{name}-bom", b"\xef\xbb\xbf" + lf, payloads),
        RecordedStream(f"{name}-no-trailing-blank-line", lf.rstrip(b"\n"), payloads),
    ]


def recorded_streams() -> list[RecordedStream]:
    streams: list[RecordedStream] = []
    for path in sorted(FIXTURES.glob("*.sse")):
        streams += _variants(path.stem, path.read_bytes())
    return streams


def splits_at_every_offset(raw: bytes) -> list[list[bytes]]:
    """The stream cut in two at each byte offset, plus one byte at a time."""
    cuts = [[raw[:i], raw[i:]] for i in range(1, len(raw))]
    return [*cuts, [raw[i : i + 1] for i in range(len(raw))]]
