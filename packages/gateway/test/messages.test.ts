/**
 * `POST /v1/messages` through the gateway with the official `@anthropic-ai/sdk`, to each provider
 * simulator (OpenAI, Anthropic, Gemini): plain text, streaming, tools and the error envelope.
 */
import Anthropic from "@anthropic-ai/sdk";
import { CAPITAL_ANSWER } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageByModel } from "./helpers/usage-rows.js";
import { startVendorHarness, type VendorHarness } from "./providers/helpers.js";

let v: VendorHarness;
let client: Anthropic;
beforeAll(async () => {
  v = await startVendorHarness();
  client = new Anthropic({ baseURL: v.h.url, apiKey: v.h.key, maxRetries: 0 });
});
afterAll(() => v.close());

const MODELS = ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5", "google/gemini-2.5-flash"];

const weather: Anthropic.Tool = {
  name: "get_weather",
  description: "Current weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};

describe.each(MODELS)("/v1/messages to %s", (model) => {
  it("answers a message with text, stop_reason and usage", async () => {
    const msg = await client.messages.create({
      model,
      max_tokens: 100,
      system: "Be brief.",
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    expect(msg.type).toBe("message");
    expect(msg.model).toBe(model);
    expect(msg.content).toHaveLength(1);
    // Anthropic's own answer (passed through) may add fields such as `citations`.
    expect(msg.content[0]).toMatchObject({ type: "text", text: CAPITAL_ANSWER });
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.input_tokens).toBeGreaterThan(0);
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it("streams events the SDK assembles into the same message", async () => {
    const stream = client.messages.stream({
      model,
      max_tokens: 100,
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    const texts: string[] = [];
    stream.on("text", (t) => texts.push(t));
    const msg = await stream.finalMessage();
    expect(texts.join("")).toBe(CAPITAL_ANSWER);
    expect(msg.content).toHaveLength(1);
    // Anthropic's own answer (passed through) may add fields such as `citations`.
    expect(msg.content[0]).toMatchObject({ type: "text", text: CAPITAL_ANSWER });
    expect(msg.stop_reason).toBe("end_turn");
    expect(msg.usage.output_tokens).toBeGreaterThan(0);
  });

  it("calls tools and takes tool results back, streaming and not", async () => {
    const first = await client.messages.create({
      model,
      max_tokens: 100,
      tools: [weather],
      messages: [{ role: "user", content: "Weather in Paris?" }],
    });
    expect(first.stop_reason).toBe("tool_use");
    const use = first.content.find((b) => b.type === "tool_use");
    expect(use).toMatchObject({ type: "tool_use", name: "get_weather", input: { city: "Paris" } });
    const streamed = await client.messages
      .stream({
        model,
        max_tokens: 100,
        tools: [weather],
        messages: [{ role: "user", content: "Weather in Paris?" }],
      })
      .finalMessage();
    expect(streamed.stop_reason).toBe("tool_use");
    expect(streamed.content.find((b) => b.type === "tool_use")).toMatchObject({
      name: "get_weather",
      input: { city: "Paris" },
    });
    const second = await client.messages.create({
      model,
      max_tokens: 100,
      tools: [weather],
      messages: [
        { role: "user", content: "Weather in Paris?" },
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: (use as Anthropic.ToolUseBlock).id,
              content: "18C and sunny",
            },
          ],
        },
      ],
    });
    expect(second.content[0]).toMatchObject({ type: "text" });
    expect((second.content[0] as Anthropic.TextBlock).text).toContain("18C and sunny");
  });
});

describe("/v1/messages to Anthropic passes through", () => {
  it("sends the client's body and beta header as they are, and prices the usage", async () => {
    v.h.sim.reset();
    const msg = await client.messages.create(
      {
        model: "anthropic/claude-sonnet-4-5",
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
        messages: [{ role: "user", content: "What is the capital of France?" }],
      },
      { headers: { "anthropic-beta": "interleaved-thinking-2025-05-14" } },
    );
    expect(msg.model).toBe("anthropic/claude-sonnet-4-5");
    expect(msg.content.some((b) => b.type === "text")).toBe(true);
    const sent = await v.h.sim.waitFor((r) => r.path === "/v1/messages");
    expect(sent.body).toMatchObject({
      model: "claude-sonnet-4-5",
      thinking: { type: "enabled", budget_tokens: 1024 },
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      stream: false,
    });
    expect(sent.headers["anthropic-beta"]).toBe("interleaved-thinking-2025-05-14");
    expect(sent.headers["x-api-key"]).toBe("sim-anthropic-key");
    const usage = msg.usage as Anthropic.Usage & { cost: number };
    // claude-sonnet-4-5: $3 in, $15 out per million tokens (no cache tokens here).
    expect(usage.cost).toBeCloseTo((usage.input_tokens * 3 + usage.output_tokens * 15) / 1e6, 12);
  });

  it("relays the stream with the client's model name and the cost on message_delta", async () => {
    const events: Anthropic.RawMessageStreamEvent[] = [];
    const stream = client.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: 100,
      messages: [{ role: "user", content: "What is the capital of France?" }],
    });
    stream.on("streamEvent", (e) => events.push(e));
    const msg = await stream.finalMessage();
    expect(msg.model).toBe("claude-haiku-4-5");
    expect((msg.content[0] as Anthropic.TextBlock).text).toBe(CAPITAL_ANSWER);
    const delta = events.find((e) => e.type === "message_delta") as Anthropic.RawMessageDeltaEvent;
    expect((delta.usage as unknown as { cost: number }).cost).toBeGreaterThan(0);
    expect(events.at(-1)?.type).toBe("message_stop");
  });
});

describe("/v1/messages accounting and errors", () => {
  it("records one usage event per request, with tokens and cost", async () => {
    const key = await v.h.newKey(`msg-${Math.random()}`);
    const keyed = new Anthropic({ baseURL: v.h.url, apiKey: key, maxRetries: 0 });
    const msg = await keyed.messages.create({
      model: "openai/gpt-4o-mini",
      max_tokens: 50,
      messages: [{ role: "user", content: "hello there" }],
    });
    await keyed.messages
      .stream({ model: "openai/gpt-4o-mini", max_tokens: 50, messages: [{ role: "user", content: "hi" }] })
      .finalMessage();
    const row = (await usageByModel(v.h, key)).get("openai/gpt-4o-mini");
    expect(row?.requests).toBe(2);
    expect(row?.promptTokens).toBeGreaterThan(msg.usage.input_tokens);
    expect(row?.costUsd).toBeGreaterThan(0);
  });

  it("takes a bare Claude id as anthropic/<id>, as Claude Code sends it", async () => {
    const msg = await client.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 20,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(msg.model).toBe("claude-haiku-4-5");
    await v.h.sim.waitFor(
      (r) => r.path === "/v1/messages" && (r.body as { model?: string })?.model === "claude-haiku-4-5",
    );
  });

  it("answers errors in Anthropic's envelope, which the SDK maps to its classes", async () => {
    const bad = await client.messages
      .create({ model: "openai/gpt-4o-mini", max_tokens: 0, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(Anthropic.UnprocessableEntityError);
    expect(bad.error).toMatchObject({
      type: "error",
      error: { type: "invalid_request_error", code: "validation_error" },
    });
    const unauth = await new Anthropic({ baseURL: v.h.url, apiKey: "rsk_nope", maxRetries: 0 }).messages
      .create({ model: "openai/gpt-4o-mini", max_tokens: 5, messages: [{ role: "user", content: "x" }] })
      .catch((e) => e);
    expect(unauth).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(unauth.error).toMatchObject({
      type: "error",
      error: { type: "authentication_error", code: "unauthorized" },
    });
    const thinking = await client.messages
      .create({
        model: "openai/gpt-4o-mini",
        max_tokens: 2000,
        thinking: { type: "enabled", budget_tokens: 1024 },
        messages: [{ role: "user", content: "x" }],
      })
      .catch((e) => e);
    expect(thinking).toBeInstanceOf(Anthropic.BadRequestError);
    expect(thinking.error.error).toMatchObject({ code: "unsupported_feature", param: "thinking" });
  });

  it("answers malformed JSON and a non-object body with a 400 in Anthropic's envelope", async () => {
    for (const body of ["{not json", "[1,2]"]) {
      const res = await fetch(`${v.h.url}/v1/messages`, {
        method: "POST",
        headers: { "x-api-key": v.h.key, "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        type: "error",
        error: { type: "invalid_request_error", code: "invalid_request" },
      });
    }
  });

  it("ends a stream that fails mid-way with an error event the SDK raises", async () => {
    const res = await fetch(`${v.h.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": v.h.key, "content-type": "application/json" },
      body: JSON.stringify({
        model: "openai/gpt-4o-mini",
        max_tokens: 100,
        stream: true,
        messages: [{ role: "user", content: "tell me more [[sim:words=20,cut_after=3]]" }],
      }),
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.startsWith("event: message_start\n")).toBe(true);
    const last = text.trim().split("\n\n").at(-1) as string;
    expect(last.split("\n")[0]).toBe("event: error");
    expect(JSON.parse(last.split("\n")[1]?.slice(6) as string)).toMatchObject({
      type: "error",
      error: { type: "api_error", code: "upstream_error" },
    });
    const stream = client.messages.stream({
      model: "openai/gpt-4o-mini",
      max_tokens: 100,
      messages: [{ role: "user", content: "tell me more [[sim:words=20,cut_after=3]]" }],
    });
    const err = await stream.finalMessage().catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.APIError);
  });
});
