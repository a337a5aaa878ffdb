import { describe, expect, it } from "vitest";
import { type ServerSentEvent, SSEDecoder } from "../src/core/sse.js";

const encoder = new TextEncoder();

/** Decodes `bytes` delivered as the given pieces. */
function decodePieces(pieces: Uint8Array[]): ServerSentEvent[] {
  const decoder = new SSEDecoder();
  const events: ServerSentEvent[] = [];
  for (const piece of pieces) events.push(...decoder.decode(piece));
  events.push(...decoder.flush());
  return events;
}

/** Every way to cut `bytes` into two pieces, plus one-byte-at-a-time. */
function allSplits(bytes: Uint8Array): Uint8Array[][] {
  const splits: Uint8Array[][] = [[bytes]];
  for (let at = 0; at <= bytes.length; at++) splits.push([bytes.subarray(0, at), bytes.subarray(at)]);
  splits.push(Array.from(bytes, (_, i) => bytes.subarray(i, i + 1)));
  return splits;
}

function expectStableUnderResplitting(text: string, expected: ServerSentEvent[]): void {
  const bytes = encoder.encode(text);
  for (const pieces of allSplits(bytes)) {
    expect(decodePieces(pieces)).toEqual(expected);
  }
}

const chunkA = '{"choices":[{"delta":{"content":"Héllo 👋"}}]}';
const chunkB = '{"choices":[{"delta":{"content":"東京 ✓"}}]}';
const ev = (data: string, event: string | null = null, id: string | null = null): ServerSentEvent => ({
  event,
  data,
  id,
});

describe("SSEDecoder", () => {
  // A recorded OpenAI-style stream with multi-byte characters, re-split at every byte offset.
  const recorded = `data: ${chunkA}\n\ndata: ${chunkB}\n\ndata: [DONE]\n\n`;
  const expected = [ev(chunkA), ev(chunkB), ev("[DONE]")];

  it("decodes LF streams identically at every split point", () => {
    expectStableUnderResplitting(recorded, expected);
  });

  it("decodes CRLF streams, including a CRLF split between chunks", () => {
    expectStableUnderResplitting(recorded.replaceAll("\n", "\r\n"), expected);
  });

  it("decodes CR-only streams", () => {
    expectStableUnderResplitting(recorded.replaceAll("\n", "\r"), expected);
  });

  it("decodes mixed line endings", () => {
    expectStableUnderResplitting(`data: a\r\n\ndata: b\r\rdata: c\n\r\n`, [ev("a"), ev("b"), ev("c")]);
  });

  it("drops a leading BOM", () => {
    expectStableUnderResplitting(`\uFEFFdata: x\n\n`, [ev("x")]);
  });

  it("ignores comments and keep-alive lines", () => {
    expectStableUnderResplitting(`: keep-alive\n\n:ping\ndata: x\n: inside\n\n`, [ev("x")]);
  });

  it("joins multi-line data with newlines", () => {
    expectStableUnderResplitting(`data: line 1\ndata: line 2\ndata:line 3\n\n`, [
      ev("line 1\nline 2\nline 3"),
    ]);
  });

  it("keeps event names and the last id, and dispatches an empty data line", () => {
    expectStableUnderResplitting(`event: error\nid: 7\ndata: {}\n\ndata\n\nretry: 10\nid: 8\ndata: z\n\n`, [
      ev("{}", "error", "7"),
      ev("", null, "7"),
      ev("z", null, "8"),
    ]);
  });

  it("removes only one space after the colon", () => {
    expectStableUnderResplitting(`data:  two spaces\n\n`, [ev(" two spaces")]);
  });

  it("does not dispatch an event without data", () => {
    expectStableUnderResplitting(`event: nothing\n\nid: 1\n\n`, []);
  });

  it("delivers a last event that lacks the trailing blank line", () => {
    expectStableUnderResplitting(`data: a\n\ndata: last`, [ev("a"), ev("last")]);
    expectStableUnderResplitting(`data: a\n\ndata: last\n`, [ev("a"), ev("last")]);
  });

  it("returns events as soon as their blank line arrives", () => {
    const decoder = new SSEDecoder();
    expect(decoder.decode(encoder.encode("data: 1\n"))).toEqual([]);
    expect(decoder.decode(encoder.encode("\ndata: 2"))).toEqual([ev("1")]);
    expect(decoder.decode(encoder.encode("\n\n"))).toEqual([ev("2")]);
    expect(decoder.flush()).toEqual([]);
  });

  it("rejects an event larger than the cap, whether as one line or many", () => {
    const oneLine = new SSEDecoder({ maxEventSize: 100 });
    expect(() => oneLine.decode(encoder.encode(`data: ${"x".repeat(200)}`))).toThrow(/exceeded 100/);
    const manyLines = new SSEDecoder({ maxEventSize: 100 });
    expect(() => {
      for (let i = 0; i < 30; i++) manyLines.decode(encoder.encode("data: 0123456789\n"));
    }).toThrow(/exceeded 100/);
    const fine = new SSEDecoder({ maxEventSize: 100 });
    for (let i = 0; i < 30; i++) expect(fine.decode(encoder.encode("data: 0123456789\n\n"))).toHaveLength(1);
  });
});
