/** The OpenAI simulator driven by the official `openai` SDK: every response must parse. */
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.js";
import { MODEL, openaiClient, TIME_TOOL, WEATHER_TOOL, withSimulator } from "./helpers.js";

let sim: Simulator;
let client: OpenAI;

beforeAll(async () => {
  sim = await withSimulator();
  client = openaiClient(sim);
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

describe("non-streaming chat completions", () => {
  it("answers the capital question with OpenAI's response shape", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is the capital of France?" },
      ],
    });
    expect(res.id).toMatch(/^chatcmpl-/);
    expect(res.object).toBe("chat.completion");
    expect(res.model).toBe(MODEL);
    expect(res.system_fingerprint).toMatch(/^fp_/);
    expect(Number.isInteger(res.created)).toBe(true);
    expect(res.choices).toHaveLength(1);
    expect(res.choices[0]).toMatchObject({
      index: 0,
      message: { role: "assistant", content: "The capital of France is Paris.", refusal: null },
      logprobs: null,
      finish_reason: "stop",
    });
    // 9 + 30 characters → 10 prompt tokens; 6 words.
    expect(res.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 6, total_tokens: 16 });
  });

  it("echoes other text, reading array content parts", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: [{ type: "text", text: "hello there" }] }],
    });
    expect(res.choices[0]?.message.content).toBe("You said: hello there");
  });

  it("truncates to max_completion_tokens words with finish_reason length", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      max_completion_tokens: 2,
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    expect(res.choices[0]?.message.content).toBe("The capital");
    expect(res.choices[0]?.finish_reason).toBe("length");
    expect(res.usage?.completion_tokens).toBe(2);
  });

  it("honours the deprecated max_tokens too", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      max_tokens: 1,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(res.choices[0]).toMatchObject({ message: { content: "You" }, finish_reason: "length" });
  });

  it("records the request with its parsed body and headers", async () => {
    await client.chat.completions.create({ model: MODEL, messages: [{ role: "user", content: "rec" }] });
    const [rec] = sim.requests();
    expect(rec).toMatchObject({
      method: "POST",
      path: "/v1/chat/completions",
      status: 200,
      aborted: false,
      finished: true,
      body: { model: MODEL, messages: [{ role: "user", content: "rec" }] },
    });
    expect(rec?.headers.authorization).toBe("Bearer sk-test");
  });
});

describe("tools", () => {
  it("calls the first tool with arguments from its required properties", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "What's the weather in Paris?" }],
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    const choice = res.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    expect(choice?.message.content).toBeNull();
    const call = choice?.message.tool_calls?.[0];
    expect(call?.id).toMatch(/^call_/);
    expect(call?.type).toBe("function");
    if (call?.type !== "function") return;
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris", days: 1, metric: true });
    expect(res.usage?.completion_tokens).toBe(Math.ceil(call.function.arguments.length / 4));
  });

  it("calls the function named by tool_choice", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Time in Tokyo?" }],
      tools: [WEATHER_TOOL, TIME_TOOL],
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    const call = res.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function).toEqual({
      name: "get_time",
      arguments: '{"zone":"Tokyo"}',
    });
  });

  it("answers with text when tool_choice is none", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [WEATHER_TOOL],
      tool_choice: "none",
    });
    expect(res.choices[0]?.message.content).toBe("You said: Weather in Paris?");
  });

  it("makes parallel tool calls with distinct ids", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "[[sim:parallel=2]] Weather and time in Paris" }],
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    const calls = res.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => c.type === "function" && c.function.name)).toEqual(["get_weather", "get_time"]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it("summarises the results of a tool round trip", async () => {
    const res = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            { id: "call_2", type: "function", function: { name: "get_time", arguments: '{"zone":"Paris"}' } },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "tool", tool_call_id: "call_2", content: [{ type: "text", text: "noon" }] },
      ],
      tools: [WEATHER_TOOL, TIME_TOOL],
    });
    expect(res.choices[0]).toMatchObject({
      finish_reason: "stop",
      message: { content: "Tool results: 18C; noon" },
    });
  });
});

describe("streaming", () => {
  it("streams one delta per word, role first, finish last, no usage without include_usage", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: "assistant", content: "", refusal: null });
    const words = chunks.slice(1, -1).map((c) => c.choices[0]?.delta.content);
    expect(words).toEqual(["The ", "capital ", "of ", "France ", "is ", "Paris."]);
    const last = chunks.at(-1);
    expect(last?.choices[0]).toMatchObject({ delta: {}, finish_reason: "stop" });
    expect(chunks.every((c) => c.usage === undefined)).toBe(true);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === MODEL)).toBe(true);
  });

  it("adds a choices:[] usage chunk with include_usage (earlier chunks carry usage: null)", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hello" }],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const usageChunk = chunks.at(-1);
    expect(usageChunk?.choices).toEqual([]);
    expect(usageChunk?.usage).toMatchObject({ prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("streams truncation as finish_reason length", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      max_tokens: 2,
      messages: [{ role: "user", content: "one two three" }],
    });
    let text = "";
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(text).toBe("You said:");
    expect(finish).toBe("length");
  });

  it("streams tool calls the SDK re-assembles (ChatCompletionStream)", async () => {
    const stream = client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: "user", content: "[[sim:parallel=2]] Weather in Berlin" }],
      tools: [WEATHER_TOOL, TIME_TOOL],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0];
    expect(choice?.finish_reason).toBe("tool_calls");
    const calls = choice?.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    const [weather, time] = calls;
    expect(weather?.type === "function" && JSON.parse(weather.function.arguments)).toEqual({
      city: "Berlin",
      days: 1,
      metric: true,
    });
    expect(time?.type === "function" && time.function.name).toBe("get_time");
    expect(final.usage?.completion_tokens).toBeGreaterThan(0);
  });

  it("opens tool calls with content null, then sends arguments in 2-3 fragments keyed by index", async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      stream: true,
      messages: [{ role: "user", content: "Weather in Paris" }],
      tools: [WEATHER_TOOL],
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const first = chunks[0]?.choices[0]?.delta;
    expect(first?.role).toBe("assistant");
    expect(first?.content).toBeNull();
    expect(first?.tool_calls?.[0]).toMatchObject({
      index: 0,
      type: "function",
      function: { name: "get_weather", arguments: "" },
    });
    const fragments = chunks.slice(1, -1).map((c) => c.choices[0]?.delta.tool_calls?.[0]);
    expect(fragments.length).toBeGreaterThanOrEqual(2);
    expect(fragments.length).toBeLessThanOrEqual(3);
    expect(fragments.every((f) => f?.index === 0 && f.id === undefined)).toBe(true);
    expect(JSON.parse(fragments.map((f) => f?.function?.arguments).join(""))).toEqual({
      city: "Paris",
      days: 1,
      metric: true,
    });
  });
});

describe("models", () => {
  it("lists models and retrieves one", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("gpt-4o-mini");
    const one = await client.models.retrieve("gpt-4o");
    expect(one).toMatchObject({ id: "gpt-4o", object: "model" });
  });
});
