import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors/catalog.js";
import { SseFrameSplitter } from "../../src/providers/sse-frames.js";

const bytes = (s: string) => new TextEncoder().encode(s);

/** Feeds `text` cut at every given offset and collects each push's payloads. */
function feed(text: string, cuts: number[]): string[][] {
  const splitter = new SseFrameSplitter();
  const all = bytes(text);
  const out: string[][] = [];
  let from = 0;
  for (const cut of [...cuts, all.length]) {
    out.push(splitter.push(all.slice(from, cut)));
    from = cut;
  }
  out.push(splitter.end());
  return out;
}

describe("SseFrameSplitter", () => {
  it("hands over every event one read completes, in one array", () => {
    const out = feed('data: {"a":1}\n\ndata: {"b":2}\n\ndata: [DONE]\n\n', []);
    expect(out[0]).toEqual(['{"a":1}', '{"b":2}', "[DONE]"]);
  });

  it("joins events cut anywhere, including inside a UTF-8 character", () => {
    const text = 'data: {"t":"héllo 🌍"}\n\ndata: {"u":2}\n\n';
    const size = bytes(text).length;
    for (let cut = 1; cut < size; cut++) {
      expect(feed(text, [cut]).flat()).toEqual(['{"t":"héllo 🌍"}', '{"u":2}']);
    }
  });

  it("reads CRLF and lone-CR line ends, even with the CR and LF in different reads", () => {
    const text = 'data: {"a":1}\r\n\r\ndata: {"b":2}\r\r';
    for (let cut = 1; cut < text.length; cut++) {
      expect(feed(text, [cut]).flat()).toEqual(['{"a":1}', '{"b":2}']);
    }
  });

  it("drops comments, event names and ids; joins multi-line data; keeps data without a space", () => {
    const text = ': keep-alive\n\nevent: x\nid: 7\ndata: {"a":\ndata: 1}\n\ndata:{"b":2}\n\n';
    expect(feed(text, []).flat()).toEqual(['{"a":\n1}', '{"b":2}']);
  });

  it("a last event without its blank line still counts", () => {
    expect(feed('data: {"a":1}\n\ndata: {"b":2}', []).flat()).toEqual(['{"a":1}', '{"b":2}']);
  });

  it("refuses an event that grows past the bound without ending", () => {
    const splitter = new SseFrameSplitter(4096);
    const piece = bytes(`data: ${"x".repeat(1000)}`);
    let thrown: unknown;
    let pushed = 0;
    try {
      for (; pushed < 10; pushed++) splitter.push(piece);
    } catch (err) {
      thrown = err;
    }
    expect(pushed).toBe(4);
    expect(thrown).toBeInstanceOf(GatewayError);
    expect((thrown as GatewayError).message).toContain("larger than 4096 bytes");
  });
});
