import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors/catalog.js";
import type { ChatRequest } from "../../src/pipeline/chat-request.js";
import { relayStream } from "../../src/pipeline/stream-relay.js";
import type { ChatCompletionChunk } from "../../src/providers/openai-types.js";
import { type ChunkStream, RawChunks } from "../../src/providers/types.js";

const chunk = (
  choices: ChatCompletionChunk["choices"],
  usage?: ChatCompletionChunk["usage"],
): ChatCompletionChunk => ({
  id: "c1",
  object: "chat.completion.chunk",
  created: 1,
  model: "upstream-model",
  choices,
  ...(usage === undefined ? {} : { usage }),
});
const delta = (content: string, index = 0) => ({ index, delta: { content }, finish_reason: null });
const finish = (index = 0) => ({ index, delta: {}, finish_reason: "stop" });
const usage = { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 };

function streamOf(chunks: ChatCompletionChunk[], raw = false): ChunkStream {
  return {
    async *[Symbol.asyncIterator]() {
      // As a pass-through vendor's stream: the JSON texts, two per upstream read.
      if (raw) {
        const texts = chunks.map((c) => JSON.stringify(c));
        for (let i = 0; i < texts.length; i += 2) yield new RawChunks(texts.slice(i, i + 2));
      } else yield* chunks;
    },
    cancel() {},
  };
}

async function relay(chunks: ChatCompletionChunk[], includeUsage: boolean, raw = false) {
  const sent: ChatCompletionChunk[] = [];
  const request = {
    messages: [{ role: "user", content: "hello" }],
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
  } as ChatRequest;
  const summary = await relayStream(
    streamOf(chunks, raw),
    { send: (json) => sent.push(JSON.parse(json)) },
    {
      request,
      publicModel: "p/m",
      price: { input: 1, output: 2 },
      onFirstChunk: () => {},
    },
  );
  return { sent, summary };
}

describe("relayStream", () => {
  it("rewrites model on every chunk and carries usage + cost on the finish chunk", async () => {
    const { sent, summary } = await relay([chunk([delta("a")]), chunk([finish()]), chunk([], usage)], false);
    expect(sent.map((c) => c.model)).toEqual(["p/m", "p/m"]);
    expect(sent[1]?.usage).toEqual({ ...usage, cost: (10 * 1 + 4 * 2) / 1e6 });
    expect(sent[0]).not.toHaveProperty("usage");
    expect(summary).toMatchObject({ promptTokens: 10, completionTokens: 4, estimated: false });
  });

  it("with n > 1 only the last finish chunk carries usage, and every finish chunk is sent", async () => {
    const { sent } = await relay(
      [chunk([delta("a", 0), delta("b", 1)]), chunk([finish(0)]), chunk([finish(1)]), chunk([], usage)],
      false,
    );
    expect(sent).toHaveLength(3);
    expect(sent[1]?.choices[0]?.index).toBe(0);
    expect(sent[1]).not.toHaveProperty("usage");
    expect(sent[2]?.choices[0]?.index).toBe(1);
    expect(sent[2]?.usage?.total_tokens).toBe(14);
  });

  it("with include_usage, earlier chunks carry usage: null and a choices:[] tail reports usage", async () => {
    const { sent } = await relay([chunk([delta("a")]), chunk([finish()], usage)], true);
    expect(sent.map((c) => c.usage ?? null)).toEqual([null, null, { ...usage, cost: 18e-6 }]);
    expect(sent[2]?.choices).toEqual([]);
    expect(sent[2]?.id).toBe("c1");
  });

  it("a stream that ends without a finish_reason is a failure, not a success", async () => {
    await expect(relay([chunk([delta("a")])], false)).rejects.toBeInstanceOf(GatewayError);
  });

  it("estimates usage when none came", async () => {
    const { sent, summary } = await relay([chunk([delta("hello world")]), chunk([finish()])], false);
    expect(summary.estimated).toBe(true);
    expect(sent[1]?.usage?.estimated).toBe(true);
    expect(sent[1]?.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("waits for a slow client before pulling more from the upstream (backpressure)", async () => {
    let pulled = 0;
    const upstream: ChunkStream = {
      async *[Symbol.asyncIterator]() {
        for (let i = 0; i < 3; i++) {
          pulled++;
          yield chunk([delta(`w${i}`)]);
        }
        pulled++;
        yield chunk([finish()], usage);
      },
      cancel() {},
    };
    let release: () => void = () => {};
    let blocked: Promise<void> | undefined = new Promise<void>((r) => {
      release = r;
    });
    const sent: string[] = [];
    const relaying = relayStream(
      upstream,
      { send: (json) => sent.push(json), drained: () => blocked },
      {
        request: { messages: [], stream: true } as unknown as ChatRequest,
        publicModel: "p/m",
        price: undefined,
        onFirstChunk: () => {},
      },
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(sent).toHaveLength(1);
    expect(pulled).toBe(1);
    blocked = undefined;
    release();
    await relaying;
    expect(pulled).toBe(4);
    expect(sent).toHaveLength(4);
  });

  it("relays raw (pass-through) chunks exactly as it relays parsed ones", async () => {
    const streams = [
      [chunk([delta("a")]), chunk([delta("b")]), chunk([finish()]), chunk([], usage)],
      [chunk([delta("a", 0), delta("b", 1)]), chunk([finish(0)]), chunk([finish(1)]), chunk([], usage)],
      [chunk([delta("hello")], null), chunk([delta(" world")], null), chunk([finish()], null)],
    ];
    for (const chunks of streams) {
      for (const includeUsage of [false, true]) {
        const parsed = await relay(structuredClone(chunks), includeUsage);
        const raw = await relay(structuredClone(chunks), includeUsage, true);
        expect(raw.sent).toEqual(parsed.sent);
        expect(raw.summary).toEqual(parsed.summary);
      }
    }
  });

  it("a raw chunk that is not JSON fails the stream when it must be read", async () => {
    const upstream: ChunkStream = {
      async *[Symbol.asyncIterator]() {
        yield new RawChunks(['{"choices":[], "usage": {broken}']);
      },
      cancel() {},
    };
    const relaying = relayStream(
      upstream,
      { send: () => {} },
      {
        request: { messages: [], stream: true } as unknown as ChatRequest,
        publicModel: "p/m",
        price: undefined,
        onFirstChunk: () => {},
      },
    );
    await expect(relaying).rejects.toMatchObject({
      code: "upstream_error",
      message: expect.stringContaining("malformed"),
    });
  });
});
