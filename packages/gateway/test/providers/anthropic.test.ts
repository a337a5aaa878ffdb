/** What the Anthropic Messages API receives for OpenAI requests sent through the gateway. */
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  apiError,
  PNG_BASE64,
  startVendorHarness,
  VENDOR_KEYS,
  type VendorHarness,
  weatherTool,
} from "./helpers.js";

let v: VendorHarness;
beforeAll(async () => {
  v = await startVendorHarness();
});
afterAll(() => v.close());
beforeEach(() => v.h.sim.reset());

type Body = Record<string, unknown> & { messages: { role: string; content: Record<string, unknown>[] }[] };

async function upstreamOf(
  params: Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, "model"> & { model?: string },
): Promise<{
  completion: OpenAI.Chat.Completions.ChatCompletion;
  body: Body;
  headers: Record<string, unknown>;
}> {
  const completion = await v.client.chat.completions.create({
    model: "anthropic/claude-sonnet-4-5",
    ...params,
  });
  const request = await v.h.sim.waitFor((r) => r.path === "/v1/messages");
  return { completion, body: request.body as Body, headers: request.headers };
}

describe("Anthropic request translation", () => {
  it("authenticates with x-api-key and anthropic-version 2023-06-01", async () => {
    const { headers } = await upstreamOf({ messages: [{ role: "user", content: "hi" }] });
    expect(headers["x-api-key"]).toBe(VENDOR_KEYS.anthropic);
    expect(headers["anthropic-version"]).toBe("2023-06-01");
    expect(headers.authorization).toBeUndefined();
  });

  it("hoists system and developer messages, defaults max_tokens per model, maps sampling", async () => {
    const { body } = await upstreamOf({
      messages: [
        { role: "system", content: "You are terse." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "Bonjour" },
      ],
      temperature: 0.2,
      stop: "END",
      seed: 7,
      user: "user-42",
    });
    expect(body.system).toEqual([
      { type: "text", text: "You are terse." },
      { type: "text", text: "Answer in French." },
    ]);
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: "Bonjour" }] }]);
    expect(body.model).toBe("claude-sonnet-4-5");
    expect(body.max_tokens).toBe(64_000);
    expect(body.temperature).toBe(0.2);
    expect(body.stop_sequences).toEqual(["END"]);
    expect(body.metadata).toEqual({ user_id: "user-42" });
    expect(body.seed).toBeUndefined();
  });

  it("prefers max_completion_tokens over max_tokens", async () => {
    const { body } = await upstreamOf({
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 50,
      max_completion_tokens: 20,
    });
    expect(body.max_tokens).toBe(20);
  });

  it("accepts the dotted model alias and prices it", async () => {
    const { completion, body } = await upstreamOf({
      model: "anthropic/claude-sonnet-4.5",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(body.model).toBe("claude-sonnet-4-5");
    expect(completion.model).toBe("anthropic/claude-sonnet-4.5");
    expect((completion.usage as { cost?: number }).cost).toBeGreaterThan(0);
  });

  it("sends a tool loop as tool_use / grouped tool_result blocks, results first", async () => {
    const { completion, body } = await upstreamOf({
      messages: [
        { role: "user", content: "Weather in Paris and Rome?" },
        {
          role: "assistant",
          content: "",
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            // An id from another vendor that breaks Anthropic's pattern.
            {
              id: "call:2/rome",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Rome"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C" },
        { role: "user", content: "Also, be brief." },
        { role: "tool", tool_call_id: "call:2/rome", content: [{ type: "text", text: "21C" }] },
      ],
      tools: [weatherTool],
    });
    expect(body.messages).toHaveLength(3);
    const [, assistant, results] = body.messages;
    expect(assistant?.content.map((b) => b.type)).toEqual(["tool_use", "tool_use"]);
    expect(assistant?.content[0]).toEqual({
      type: "tool_use",
      id: "call_1",
      name: "get_weather",
      input: { city: "Paris" },
    });
    const romeId = assistant?.content[1]?.id as string;
    expect(romeId).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(results?.content).toEqual([
      { type: "tool_result", tool_use_id: "call_1", content: "18C" },
      { type: "tool_result", tool_use_id: romeId, content: "21C" },
      { type: "text", text: "Also, be brief." },
    ]);
    expect(completion.choices[0]?.message.content).toBe("Tool results: 18C; 21C");
  });

  it("maps tool definitions, tool_choice required and parallel_tool_calls false", async () => {
    const { body } = await upstreamOf({
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [weatherTool, { type: "function", function: { name: "ping" } }],
      tool_choice: "required",
      parallel_tool_calls: false,
    });
    expect(body.tools).toEqual([
      {
        name: "get_weather",
        description: "Current weather for a city",
        input_schema: weatherTool.function.parameters,
      },
      { name: "ping", input_schema: { type: "object", properties: {} } },
    ]);
    expect(body.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
  });

  it("sends images as base64 and URL sources", async () => {
    const { body } = await upstreamOf({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Compare" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
    });
    expect(body.messages[0]?.content).toEqual([
      { type: "text", text: "Compare" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_BASE64 } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
  });

  it("maps json_schema to structured outputs", async () => {
    const schema = {
      type: "object",
      properties: { answer: { type: "string" } },
      required: ["answer"],
      additionalProperties: false,
    };
    const { body } = await upstreamOf({
      messages: [{ role: "user", content: "Answer in JSON" }],
      response_format: { type: "json_schema", json_schema: { name: "answer", schema } },
    });
    expect(body.output_config).toEqual({ format: { type: "json_schema", schema } });
  });

  it.each([
    ["json_object", { response_format: { type: "json_object" } }, "response_format.type"],
    ["temperature above 1", { temperature: 1.5 }, "temperature"],
    ["n > 1", { n: 2 }, "n"],
    [
      "audio input",
      {
        messages: [
          { role: "user", content: [{ type: "input_audio", input_audio: { data: "AAAA", format: "wav" } }] },
        ],
      },
      "messages.0.content.0",
    ],
  ])("refuses %s with a 422 that says where", async (_name, extra, param) => {
    const err = await apiError(
      v.client.chat.completions.create({
        model: "anthropic/claude-sonnet-4-5",
        messages: [{ role: "user", content: "hi" }],
        ...(extra as object),
      }),
    );
    expect(err.status).toBe(422);
    expect(err.error).toMatchObject({ code: "validation_error", param });
    expect(v.h.sim.requests()).toHaveLength(0);
  });
});
