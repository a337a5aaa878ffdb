/** Every fault-injection directive, observed through the official `openai` SDK. */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.js";
import { MODEL, openaiClient, postRaw, WEATHER_TOOL, withSimulator } from "./helpers.js";

let sim: Simulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await withSimulator();
  client = openaiClient(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const ask = (content: string) =>
  client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content }] });
const askStream = (content: string, includeUsage = false) =>
  client.chat.completions.create({
    model: MODEL,
    stream: true,
    messages: [{ role: "user", content }],
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
  });

async function drain(stream: AsyncIterable<OpenAI.Chat.Completions.ChatCompletionChunk>) {
  const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe("status", () => {
  const cases: [number, new (...args: never[]) => Error][] = [
    [400, OpenAI.BadRequestError],
    [401, OpenAI.AuthenticationError],
    [403, OpenAI.PermissionDeniedError],
    [404, OpenAI.NotFoundError],
    [409, OpenAI.ConflictError],
    [422, OpenAI.UnprocessableEntityError],
    [429, OpenAI.RateLimitError],
    [500, OpenAI.InternalServerError],
    [503, OpenAI.InternalServerError],
  ];
  it.each(cases)("status=%i maps to the SDK's error class", async (status, cls) => {
    const error = await ask(`[[sim:status=${status}]] hi`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(cls);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(status);
    expect((error as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      message: expect.any(String),
    });
  });

  it("answers streaming requests with the error status before any event", async () => {
    const error = await askStream("[[sim:status=502]]").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
  });

  it("retry_after sends Retry-After with the status", async () => {
    const res = await postRaw(
      `${sim.openaiBaseUrl}/chat/completions`,
      JSON.stringify({
        model: MODEL,
        messages: [{ role: "user", content: "[[sim:status=429,retry_after=7]]" }],
      }),
      { authorization: "Bearer k" },
    );
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(res.json).toMatchObject({ error: { type: "requests", code: "rate_limit_exceeded", param: null } });
  });

  it("rejects an unknown directive with a 400 naming it", async () => {
    const error = await ask("[[sim:explode]]").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(String((error as Error).message)).toContain("explode");
  });
});

describe("reply shaping", () => {
  it("words=N replies w1 … wN (and streams N word deltas)", async () => {
    const res = await ask("[[sim:words=5]] ignored");
    expect(res.choices[0]?.message.content).toBe("w1 w2 w3 w4 w5");
    expect(res.usage?.completion_tokens).toBe(5);
    const chunks = await drain(await askStream("[[sim:words=50]]"));
    expect(chunks.filter((c) => c.choices[0]?.delta.content?.startsWith("w"))).toHaveLength(50);
  });

  it("strips directives before echoing", async () => {
    const res = await ask("say [[sim:words=0]] [[sim:no_usage]]this");
    expect(res.choices[0]?.message.content).toBe("");
    const echo = await ask("say [[sim:no_usage]] this");
    expect(echo.choices[0]?.message.content).toBe("You said: say this");
  });

  it("no_usage omits usage from responses and from include_usage streams", async () => {
    const res = await ask("[[sim:no_usage]] hi");
    expect(res.usage).toBeUndefined();
    const chunks = await drain(await askStream("[[sim:no_usage]] hi", true));
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("usage_on_finish puts usage on the finish_reason chunk, with or without include_usage", async () => {
    for (const includeUsage of [false, true]) {
      const chunks = await drain(await askStream("[[sim:usage_on_finish]] hi", includeUsage));
      const last = chunks.at(-1);
      expect(last?.choices[0]?.finish_reason).toBe("stop");
      expect(last?.usage).toMatchObject({ completion_tokens: 3 });
      expect(chunks.some((c) => c.choices.length === 0)).toBe(false);
    }
  });

  it("parallel=N makes N tool calls of the only tool", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "[[sim:parallel=3]] Weather in Oslo" }],
      tools: [WEATHER_TOOL],
    });
    const calls = res.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => c.type === "function" && c.function.name)).toEqual([
      "get_weather",
      "get_weather",
      "get_weather",
    ]);
  });
});

describe("connection faults", () => {
  it("delay_ms delays the headers: a client timeout shorter than the delay fires", async () => {
    const impatient = new OpenAI({ baseURL: sim.openaiBaseUrl, apiKey: "k", maxRetries: 0, timeout: 200 });
    const error = await impatient.chat.completions
      .create({ model: MODEL, messages: [{ role: "user", content: "[[sim:delay_ms=20000]]" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const rec = await sim.waitFor((r) => r.aborted);
    expect(rec.status).toBeNull();
  });

  it("delay_ms short enough still answers normally", async () => {
    const res = await ask("[[sim:delay_ms=20]] later");
    expect(res.choices[0]?.message.content).toBe("You said: later");
  });

  it("hang never answers; aborting records aborted: true", async () => {
    const controller = new AbortController();
    const pending = client.chat.completions
      .create(
        { model: MODEL, messages: [{ role: "user", content: "[[sim:hang]]" }] },
        { signal: controller.signal },
      )
      .catch((e: unknown) => e);
    await sim.waitFor((r) => r.path === "/v1/chat/completions");
    controller.abort();
    expect(await pending).toBeInstanceOf(OpenAI.APIUserAbortError);
    const rec = await sim.waitFor((r) => r.aborted);
    expect(rec).toMatchObject({ aborted: true, finished: false, status: null });
  });

  it("aborting a slow stream mid-way records aborted: true", async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: MODEL,
        stream: true,
        messages: [{ role: "user", content: "[[sim:chunk_delay_ms=10000]] slow" }],
      },
      { signal: controller.signal },
    );
    const seen: string[] = [];
    for await (const chunk of stream) {
      seen.push(chunk.choices[0]?.delta.role ?? "");
      break; // leaving the loop aborts the request
    }
    expect(seen).toEqual(["assistant"]);
    const rec = await sim.waitFor((r) => r.aborted);
    expect(rec).toMatchObject({ status: 200, aborted: true, finished: false });
  });

  it("chunk_delay_ms still delivers the whole stream", async () => {
    const chunks = await drain(await askStream("[[sim:chunk_delay_ms=5]] a b"));
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("You said: a b");
  });

  it("cut_after=N: the SDK's stream fails after N events, and the record is not an abort", async () => {
    const stream = await askStream("[[sim:cut_after=3]] one two three four");
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(chunks).toHaveLength(3);
    const rec = await sim.waitFor((r) => r.status === 200);
    expect(rec).toMatchObject({ aborted: false, finished: false });
  });

  it("cut_after on a non-streaming request truncates the body", async () => {
    const error = await ask("[[sim:cut_after=1]] hi").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
  });

  it("malformed_after=N: the SDK throws on the broken event", async () => {
    const stream = await askStream("[[sim:malformed_after=2]] hi there");
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyntaxError);
    expect(chunks).toHaveLength(2);
  });

  it("stream_error: an in-band error event the SDK raises as APIError", async () => {
    const stream = await askStream("[[sim:stream_error]] hi there");
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(String((error as Error).message)).toContain("simulated");
    expect(chunks).toHaveLength(2);
  });

  it("hang_after=N: the stream stalls after N events until the client leaves", async () => {
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: MODEL, stream: true, messages: [{ role: "user", content: "[[sim:hang_after=2]] a b c" }] },
      { signal: controller.signal },
    );
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      if (chunks.length === 2) controller.abort();
    }
    expect(chunks).toHaveLength(2);
    await sim.waitFor((r) => r.aborted);
  });
});
