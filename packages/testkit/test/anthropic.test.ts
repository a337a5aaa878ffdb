/** The Anthropic simulator driven by the official `@anthropic-ai/sdk`: every response must parse. */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.js";
import { withSimulator } from "./helpers.js";

const MODEL = "claude-sonnet-4-6";
let sim: Simulator;
let client: Anthropic;

beforeAll(async () => {
  sim = await withSimulator();
  client = new Anthropic({ baseURL: sim.url, apiKey: "sk-ant-test", maxRetries: 0, logLevel: "off" });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const WEATHER = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: {
    type: "object" as const,
    properties: { city: { type: "string" }, days: { type: "integer" } },
    required: ["city", "days"],
  },
};
const TIME = {
  name: "get_time",
  input_schema: { type: "object" as const, properties: { zone: { type: "string" } }, required: ["zone"] },
};

describe("messages.create", () => {
  it("answers with a Message: msg_ id, text block, end_turn, usage with cache fields", async () => {
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      system: "Be brief.",
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    expect(msg.id).toMatch(/^msg_/);
    expect(msg).toMatchObject({
      type: "message",
      role: "assistant",
      model: MODEL,
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    expect(msg.content).toEqual([{ type: "text", text: "The capital of France is Paris.", citations: null }]);
    // 9 + 30 characters → 10 input tokens; 6 words.
    expect(msg.usage).toMatchObject({
      input_tokens: 10,
      output_tokens: 6,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    });
  });

  it("stops at max_tokens words with stop_reason max_tokens", async () => {
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 2,
      messages: [{ role: "user", content: [{ type: "text", text: "hello world again" }] }],
    });
    expect(msg.stop_reason).toBe("max_tokens");
    expect(msg.content[0]).toMatchObject({ type: "text", text: "You said:" });
  });

  it("calls the first tool with a toolu_ id and an input object", async () => {
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [WEATHER, TIME],
      messages: [{ role: "user", content: "Weather in Lisbon?" }],
    });
    expect(msg.stop_reason).toBe("tool_use");
    const [block] = msg.content;
    expect(block?.type).toBe("tool_use");
    if (block?.type !== "tool_use") return;
    expect(block.id).toMatch(/^toolu_[a-zA-Z0-9_-]+$/);
    expect(block).toMatchObject({ name: "get_weather", input: { city: "Lisbon", days: 1 } });
  });

  it("honours tool_choice tool / none and parallel=N", async () => {
    const forced = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [WEATHER, TIME],
      tool_choice: { type: "tool", name: "get_time" },
      messages: [{ role: "user", content: "Time in Tokyo" }],
    });
    expect(forced.content[0]).toMatchObject({ type: "tool_use", name: "get_time", input: { zone: "Tokyo" } });
    const none = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [WEATHER],
      tool_choice: { type: "none" },
      messages: [{ role: "user", content: "Weather?" }],
    });
    expect(none.content[0]).toMatchObject({ type: "text", text: "You said: Weather?" });
    const parallel = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [WEATHER, TIME],
      messages: [{ role: "user", content: "[[sim:parallel=2]] Paris" }],
    });
    expect(parallel.content.map((b) => b.type === "tool_use" && b.name)).toEqual(["get_weather", "get_time"]);
  });

  it("summarises tool results", async () => {
    const msg = await client.messages.create({
      model: MODEL,
      max_tokens: 100,
      tools: [WEATHER, TIME],
      messages: [
        { role: "user", content: "Weather and time in Paris" },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
            { type: "tool_use", id: "toolu_2", name: "get_time", input: { zone: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
            { type: "tool_result", tool_use_id: "toolu_2", content: [{ type: "text", text: "noon" }] },
            { type: "text", text: "thanks" },
          ],
        },
      ],
    });
    expect(msg).toMatchObject({
      stop_reason: "end_turn",
      content: [{ type: "text", text: "Tool results: 18C; noon" }],
    });
  });
});

describe("streaming", () => {
  it("messages.stream assembles the final message", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    const deltas: string[] = [];
    stream.on("text", (text) => deltas.push(text));
    const final = await stream.finalMessage();
    expect(deltas).toEqual(["The ", "capital ", "of ", "France ", "is ", "Paris."]);
    expect(final.content).toEqual([
      { type: "text", text: "The capital of France is Paris.", citations: null },
    ]);
    expect(final.stop_reason).toBe("end_turn");
    expect(final.usage).toMatchObject({ input_tokens: 8, output_tokens: 6 });
  });

  it("sends named events in the API's order, ping after the first block start", async () => {
    const res = await fetch(`${sim.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01", "content-type": "application/json" },
      body: JSON.stringify({
        model: MODEL,
        max_tokens: 50,
        stream: true,
        messages: [{ role: "user", content: "a b" }],
      }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("request-id")).toMatch(/^req_/);
    const frames = (await res.text()).trim().split("\n\n");
    const names = frames.map((f) => /^event: (\S+)/.exec(f)?.[1]);
    expect(names).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    for (const frame of frames) {
      const name = /^event: (\S+)/.exec(frame)?.[1];
      const data = JSON.parse(frame.split("\ndata: ")[1] as string) as { type: string };
      expect(data.type).toBe(name);
    }
    const delta = JSON.parse((frames[8] as string).split("\ndata: ")[1] as string);
    expect(delta).toMatchObject({
      delta: { stop_reason: "end_turn" },
      usage: { output_tokens: 4, input_tokens: 1 },
    });
  });

  it("streams tool_use input as several input_json_delta fragments the SDK parses", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      tools: [WEATHER],
      messages: [{ role: "user", content: "Weather in Rome" }],
    });
    const fragments: string[] = [];
    stream.on("streamEvent", (event) => {
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta") {
        fragments.push(event.delta.partial_json);
      }
    });
    const final = await stream.finalMessage();
    expect(fragments.length).toBeGreaterThanOrEqual(3);
    expect(fragments[0]).toBe("");
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content[0]).toMatchObject({
      type: "tool_use",
      name: "get_weather",
      input: { city: "Rome", days: 1 },
    });
  });

  it("stream_error emits an overloaded_error event the SDK raises", async () => {
    const stream = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: "user", content: "[[sim:stream_error]] one two three" }],
    });
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe("overloaded_error");
  });

  it("cut_after makes the SDK stream fail; malformed_after makes it throw", async () => {
    const cut = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: "user", content: "[[sim:cut_after=4]] one two three" }],
    });
    await expect(cut.finalMessage()).rejects.toThrow();
    const malformed = client.messages.stream({
      model: MODEL,
      max_tokens: 100,
      messages: [{ role: "user", content: "[[sim:malformed_after=3]] one two" }],
    });
    await expect(malformed.finalMessage()).rejects.toThrow();
  });

  it("records aborted: true when the client gives up on a hung request", async () => {
    const controller = new AbortController();
    const pending = client.messages
      .create(
        { model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "[[sim:hang]]" }] },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e);
    await sim.waitFor((r) => r.path === "/v1/messages");
    controller.abort();
    expect(await pending).toBeInstanceOf(Anthropic.APIUserAbortError);
    expect(await sim.waitFor((r) => r.aborted)).toMatchObject({ path: "/v1/messages", finished: false });
  });
});

describe("errors", () => {
  const cases: [number, string, new (...args: never[]) => Error][] = [
    [400, "invalid_request_error", Anthropic.BadRequestError],
    [401, "authentication_error", Anthropic.AuthenticationError],
    [403, "permission_error", Anthropic.PermissionDeniedError],
    [404, "not_found_error", Anthropic.NotFoundError],
    [429, "rate_limit_error", Anthropic.RateLimitError],
    [500, "api_error", Anthropic.InternalServerError],
    [529, "overloaded_error", Anthropic.OverloadedError],
  ];
  it.each(cases)("status=%i → %s and the SDK's error class", async (status, type, cls) => {
    const error = await client.messages
      .create({
        model: MODEL,
        max_tokens: 10,
        messages: [{ role: "user", content: `[[sim:status=${status}]]` }],
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(cls);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.type).toBe(type);
    expect(apiError.requestID).toMatch(/^req_/);
  });

  it("sends retry-after with rate limits", async () => {
    const error = (await client.messages
      .create({
        model: MODEL,
        max_tokens: 10,
        messages: [{ role: "user", content: "[[sim:status=429,retry_after=9]]" }],
      })
      .catch((e: unknown) => e)) as InstanceType<typeof Anthropic.APIError>;
    expect(error.headers?.get("retry-after")).toBe("9");
  });

  it("answers an unknown model with not_found_error", async () => {
    const error = await client.messages
      .create({ model: "claude-unknown", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
  });

  it("checks the configured key, from x-api-key or Authorization: Bearer", async () => {
    const strict = await withSimulator({ apiKey: { anthropic: "right" } });
    try {
      const wrong = new Anthropic({ baseURL: strict.url, apiKey: "wrong", maxRetries: 0 });
      const error = await wrong.messages
        .create({ model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      const body = { model: MODEL, max_tokens: 10, messages: [{ role: "user", content: "hi" }] };
      const viaHeader = await fetch(`${strict.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": "right", "anthropic-version": "2023-06-01" },
        body: JSON.stringify(body),
      });
      expect(viaHeader.status).toBe(200);
      const missing = await fetch(`${strict.url}/v1/messages`, {
        method: "POST",
        headers: { "anthropic-version": "2023-06-01" },
        body: JSON.stringify(body),
      });
      expect(missing.status).toBe(401);
      expect(await missing.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    } finally {
      await strict.close();
    }
  });
});
