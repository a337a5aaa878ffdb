/** `POST /v1/responses` through the gateway with the official `openai` client, to each provider simulator. */
import { CAPITAL_ANSWER } from "@meshapi/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageByModel } from "./helpers/usage-rows.js";
import { startVendorHarness, type VendorHarness } from "./providers/helpers.js";

let v: VendorHarness;
beforeAll(async () => {
  v = await startVendorHarness();
});
afterAll(() => v.close());

const MODELS = ["openai/gpt-4o-mini", "anthropic/claude-haiku-4-5", "google/gemini-2.5-flash"];

const weather: OpenAI.Responses.FunctionTool = {
  type: "function",
  name: "get_weather",
  description: "Current weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

describe.each(MODELS)("/v1/responses to %s", (model) => {
  it("answers text with output_text, status and usage", async () => {
    const res = await v.client.responses.create({
      model,
      instructions: "Be brief.",
      input: "What is the capital of France?",
    });
    expect(res.object).toBe("response");
    expect(res.status).toBe("completed");
    expect(res.model).toBe(model);
    expect(res.output_text).toBe(CAPITAL_ANSWER);
    expect(res.usage?.input_tokens).toBeGreaterThan(0);
    expect(res.usage?.total_tokens).toBe((res.usage?.input_tokens ?? 0) + (res.usage?.output_tokens ?? 0));
  });

  it("streams events the SDK assembles into the same response", async () => {
    const stream = v.client.responses.stream({ model, input: "What is the capital of France?" });
    const deltas: string[] = [];
    stream.on("response.output_text.delta", (e) => deltas.push(e.delta));
    const final = await stream.finalResponse();
    expect(deltas.join("")).toBe(CAPITAL_ANSWER);
    expect(final.output_text).toBe(CAPITAL_ANSWER);
    expect(final.status).toBe("completed");
    expect(final.usage?.output_tokens).toBeGreaterThan(0);
  });

  it("calls function tools and takes their output back, streaming and not", async () => {
    const first = await v.client.responses.create({ model, tools: [weather], input: "Weather in Paris?" });
    const call = first.output.find(
      (o) => o.type === "function_call",
    ) as OpenAI.Responses.ResponseFunctionToolCall;
    expect(call).toMatchObject({ name: "get_weather", status: "completed" });
    expect(JSON.parse(call.arguments)).toEqual({ city: "Paris" });
    const streamed = await v.client.responses
      .stream({ model, tools: [weather], input: "Weather in Paris?" })
      .finalResponse();
    const streamedCall = streamed.output.find((o) => o.type === "function_call");
    expect(streamedCall).toMatchObject({ name: "get_weather", arguments: call.arguments });
    const second = await v.client.responses.create({
      model,
      tools: [weather],
      input: [
        { role: "user", content: "Weather in Paris?" },
        { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments },
        { type: "function_call_output", call_id: call.call_id, output: "18C and sunny" },
      ],
    });
    expect(second.output_text).toContain("18C and sunny");
  });
});

describe("/v1/responses to OpenAI passes through", () => {
  it("sends the client's body as it is to /v1/responses, and prices the usage", async () => {
    v.h.sim.reset();
    const res = await v.client.responses.create({
      model: "openai/gpt-4o-mini",
      input: "What is the capital of France?",
      previous_response_id: "resp_earlier",
      store: true,
    });
    expect(res.model).toBe("openai/gpt-4o-mini");
    expect(res.output_text).toBe(CAPITAL_ANSWER);
    const sent = await v.h.sim.waitFor((r) => r.path === "/v1/responses");
    expect(sent.body).toMatchObject({
      model: "gpt-4o-mini",
      previous_response_id: "resp_earlier",
      store: true,
      stream: false,
    });
    const usage = res.usage as OpenAI.Responses.ResponseUsage & { cost: number };
    // gpt-4o-mini: $0.15 in, $0.60 out per million tokens.
    expect(usage.cost).toBeCloseTo((usage.input_tokens * 0.15 + usage.output_tokens * 0.6) / 1e6, 12);
    expect(v.h.sim.requests().some((r) => r.path === "/v1/chat/completions")).toBe(false);
  });

  it("relays the event stream with the model renamed and the cost on response.completed", async () => {
    const stream = v.client.responses.stream({
      model: "openai/gpt-4o-mini",
      input: "What is the capital of France?",
    });
    const types: string[] = [];
    stream.on("event", (e) => types.push(e.type));
    const final = await stream.finalResponse();
    expect(final.model).toBe("openai/gpt-4o-mini");
    expect((final.usage as unknown as { cost: number }).cost).toBeGreaterThan(0);
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
  });

  it("ends a stream cut upstream with an error event", async () => {
    const err = await v.client.responses
      .stream({ model: "openai/gpt-4o-mini", input: "more [[sim:words=20,cut_after=4]]" })
      .finalResponse()
      .catch((e) => e);
    // The SDK rejects with the stream's error event itself.
    expect(err).toMatchObject({ type: "error", code: "upstream_error" });
  });
});

describe("/v1/responses limits of the translation", () => {
  it("marks an answer cut by max_output_tokens as incomplete", async () => {
    const res = await v.client.responses.create({
      model: "openai/gpt-4o-mini",
      input: "say many things [[sim:words=50]]",
      max_output_tokens: 5,
    });
    expect(res.status).toBe("incomplete");
    expect(res.incomplete_details).toEqual({ reason: "max_output_tokens" });
  });

  it("refuses stored state, built-in tools and unknown items for translated providers, naming the field", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ previous_response_id: "resp_1" }, "previous_response_id"],
      [{ tools: [{ type: "web_search" }] }, "tools.0.type"],
      [{ input: [{ type: "reasoning", summary: [] }] }, "input.0.type"],
    ];
    for (const [extra, param] of cases) {
      const err = await v.client.responses
        .create({
          model: "google/gemini-2.5-flash",
          input: "hi",
          ...extra,
        } as OpenAI.Responses.ResponseCreateParamsNonStreaming)
        .catch((e) => e);
      expect(err, param).toBeInstanceOf(OpenAI.BadRequestError);
      expect(err.error).toMatchObject({ code: "unsupported_feature", param });
    }
  });

  it("records usage with tokens and cost", async () => {
    const key = await v.h.newKey(`resp-${Math.random()}`);
    const client = new OpenAI({ baseURL: `${v.h.url}/v1`, apiKey: key, maxRetries: 0 });
    const res = await client.responses.create({ model: "openai/gpt-4o-mini", input: "hello" });
    await client.responses.stream({ model: "openai/gpt-4o-mini", input: "hello" }).finalResponse();
    const row = (await usageByModel(v.h, key)).get("openai/gpt-4o-mini");
    expect(row?.requests).toBe(2);
    expect(row?.promptTokens).toBe(2 * (res.usage?.input_tokens ?? 0));
    expect(row?.costUsd).toBeGreaterThan(0);
  });
});
