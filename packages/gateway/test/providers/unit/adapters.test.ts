/** The adapters against a bare local upstream that answers in ways the simulator never does. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULTS, type ProviderConfig } from "../../../src/config/config.js";
import type { ChatRequest } from "../../../src/pipeline/chat-request.js";
import { AnthropicAdapter } from "../../../src/providers/anthropic/adapter.js";
import { Cancellation } from "../../../src/providers/cancellation.js";
import { GeminiAdapter } from "../../../src/providers/gemini/adapter.js";
import type { ChatCompletionChunk } from "../../../src/providers/openai-types.js";
import { type ProviderAdapter, RawChunks, type UpstreamCall } from "../../../src/providers/types.js";
import { UpstreamHttp } from "../../../src/providers/upstream-http.js";
import { rejected } from "./thrown.js";

/** What the upstream answers next: status, content type and body. */
let next: { status: number; type: string; body: string } = {
  status: 200,
  type: "application/json",
  body: "{}",
};
let server: Server;
let origin: string;
const http = new UpstreamHttp();

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(next.status, { "content-type": next.type });
      res.end(next.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await http.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function call(format: "anthropic" | "gemini", model: string): UpstreamCall {
  const provider: ProviderConfig = {
    name: format === "anthropic" ? "anthropic" : "google",
    format,
    baseUrl: origin,
    apiKey: "k",
    apiKeyEnv: "K",
    baseUrlEnv: "B",
    requiresKey: true,
    headers: {},
    models: [],
    timeouts: DEFAULTS.timeouts,
    maxEventBytes: DEFAULTS.upstreamMaxEventBytes,
    quirks: {},
  };
  const request = { messages: [{ role: "user", content: "hi" }] } as ChatRequest;
  return {
    provider,
    upstreamModel: model,
    request,
    signal: new Cancellation(),
    requestId: "req_1",
  };
}

async function drain(adapter: ProviderAdapter, c: UpstreamCall): Promise<ChatCompletionChunk[]> {
  const out: ChatCompletionChunk[] = [];
  for await (const chunk of await adapter.stream(c)) {
    if (chunk instanceof RawChunks) throw new Error("a translating adapter yields parsed chunks");
    out.push(chunk);
  }
  return out;
}

const sse = (events: [string, unknown][]) =>
  events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join("");

describe.each([
  ["anthropic", new AnthropicAdapter(http), "claude-haiku-4-5"],
  ["gemini", new GeminiAdapter(http), "gemini-2.5-flash"],
] as const)("%s adapter", (format, adapter, model) => {
  it("a 200 that is not the vendor's response shape is a 502 carrying the body", async () => {
    next = { status: 200, type: "application/json", body: '{"unexpected":true}' };
    const err = await rejected(adapter.complete(call(format, model)));
    expect(err.status).toBe(502);
    expect(err.providerError).toEqual({ unexpected: true });
  });

  it("a 200 that is not JSON is a 502", async () => {
    next = { status: 200, type: "application/json", body: "<html>oops</html>" };
    const err = await rejected(adapter.complete(call(format, model)));
    expect(err.status).toBe(502);
    expect(err.message).toContain("not JSON");
  });

  it("a stream request answered with JSON is a 502 before the client's stream opens", async () => {
    next = { status: 200, type: "application/json", body: '{"error":"nope"}' };
    const err = await rejected(adapter.stream(call(format, model)));
    expect(err.status).toBe(502);
    expect(err.message).toContain("did not answer with an event stream");
  });

  it("an error status answers before any byte with the mapped error", async () => {
    next = { status: 404, type: "application/json", body: '{"error":{"message":"no such model"}}' };
    const err = await rejected(adapter.stream(call(format, model)));
    expect(err.status).toBe(404);
    expect(err.message).toContain("no such model");
  });
});

describe("streams that end early", () => {
  it("Anthropic: a stream without message_stop fails after what arrived", async () => {
    next = {
      status: 200,
      type: "text/event-stream",
      body: sse([
        ["message_start", { type: "message_start", message: { id: "m", usage: { input_tokens: 1 } } }],
        [
          "content_block_start",
          { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        ],
        [
          "content_block_delta",
          { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } },
        ],
      ]),
    };
    const adapter = new AnthropicAdapter(http);
    const err = await rejected(drain(adapter, call("anthropic", "claude-haiku-4-5")));
    expect(err.message).toContain("no message_stop");
  });

  it("Gemini: a stream without a finishReason fails", async () => {
    next = {
      status: 200,
      type: "text/event-stream",
      body: `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: "Hi" }] } }] })}\n\n`,
    };
    const err = await rejected(drain(new GeminiAdapter(http), call("gemini", "gemini-2.5-flash")));
    expect(err.message).toContain("closed the stream before it finished");
  });
});
