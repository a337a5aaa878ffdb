/**
 * The request rules the real Anthropic and Gemini APIs enforce: each bad request gets the
 * vendor's 400 with its wording, and the matching good request passes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.js";
import { postRaw, withSimulator } from "./helpers.js";

let sim: Simulator;
beforeAll(async () => {
  sim = await withSimulator();
});
afterAll(() => sim.close());

const TOOL = {
  name: "get_weather",
  input_schema: { type: "object", properties: { city: { type: "string" } } },
};
const USE = { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } };
const RESULT = { type: "tool_result", tool_use_id: "toolu_1", content: "18C" };

function anthropic(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  return postRaw(`${sim.url}/v1/messages`, JSON.stringify(body), {
    "x-api-key": "k",
    "anthropic-version": "2023-06-01",
    ...headers,
  });
}
const base = (messages: unknown[], extra: Record<string, unknown> = {}) => ({
  model: "claude-sonnet-4-6",
  max_tokens: 50,
  messages,
  ...extra,
});

describe("Anthropic request validation", () => {
  const bad: [string, Record<string, unknown>, string][] = [
    [
      "max_tokens missing",
      { model: "m", messages: [{ role: "user", content: "hi" }] },
      "max_tokens: Field required",
    ],
    ["a system role message", base([{ role: "system", content: "x" }]), 'Unexpected role "system"'],
    ["another role", base([{ role: "tool", content: "x" }]), "Input should be 'user' or 'assistant'"],
    [
      "an assistant first",
      base([{ role: "assistant", content: "x" }]),
      'first message must use the "user" role',
    ],
    [
      "an empty text block",
      base([{ role: "user", content: [{ type: "text", text: "" }] }]),
      "must be non-empty",
    ],
    ["whitespace-only text", base([{ role: "user", content: "  \n" }]), "must contain non-whitespace text"],
    [
      "a prefill with trailing whitespace",
      base([
        { role: "user", content: "hi" },
        { role: "assistant", content: "Sure, " },
      ]),
      "final assistant content cannot end with trailing whitespace",
    ],
    [
      "a tool_use id outside the pattern",
      base([
        { role: "user", content: "hi" },
        { role: "assistant", content: [{ ...USE, id: "call.1" }] },
        { role: "user", content: [{ ...RESULT, tool_use_id: "call.1" }] },
      ]),
      "String should match pattern '^[a-zA-Z0-9_-]+$'",
    ],
    [
      "a tool_use without a result",
      base([
        { role: "user", content: "hi" },
        { role: "assistant", content: [USE] },
        { role: "user", content: "and?" },
      ]),
      "Messages following `tool_use` blocks must begin with a matching number of `tool_result` blocks",
    ],
    [
      "a tool_use as the final message",
      base([
        { role: "user", content: "hi" },
        { role: "assistant", content: [USE] },
      ]),
      "`tool_use` ids were found without `tool_result` blocks immediately after: toolu_1",
    ],
    [
      "a tool_result after text",
      base([
        { role: "user", content: "hi" },
        { role: "assistant", content: [USE] },
        { role: "user", content: [{ type: "text", text: "here" }, RESULT] },
      ]),
      "`tool_result` blocks must come first",
    ],
    [
      "a tool_result for an unknown id",
      base([
        { role: "user", content: "hi" },
        { role: "assistant", content: [USE] },
        { role: "user", content: [RESULT, { ...RESULT, tool_use_id: "toolu_9" }] },
      ]),
      "unexpected `tool_use_id` found in `tool_result` blocks: toolu_9",
    ],
    [
      "an input_schema that is not an object",
      base([{ role: "user", content: "hi" }], { tools: [{ ...TOOL, input_schema: { type: "string" } }] }),
      "input_schema.type: Input should be 'object'",
    ],
    [
      "a tool name outside the pattern",
      base([{ role: "user", content: "hi" }], { tools: [{ ...TOOL, name: "get weather" }] }),
      "String should match pattern '^[a-zA-Z0-9_-]{1,64}$'",
    ],
  ];
  it.each(bad)("rejects %s", async (_label, body, message) => {
    const res = await anthropic(body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect((res.json as { error: { message: string } }).error.message).toContain(message);
  });

  it("requires the anthropic-version header", async () => {
    const res = await postRaw(
      `${sim.url}/v1/messages`,
      JSON.stringify(base([{ role: "user", content: "hi" }])),
      {
        "x-api-key": "k",
      },
    );
    expect(res.status).toBe(400);
    expect(JSON.stringify(res.json)).toContain("anthropic-version");
  });

  it("accepts a valid prefill and a valid tool loop", async () => {
    const prefill = await anthropic(
      base([
        { role: "user", content: "hi" },
        { role: "assistant", content: "Sure" },
      ]),
    );
    expect(prefill.status).toBe(200);
    const loop = await anthropic(
      base(
        [
          { role: "user", content: "hi" },
          { role: "assistant", content: [{ type: "text", text: "Checking." }, USE] },
          { role: "user", content: [RESULT, { type: "text", text: "go on" }] },
        ],
        { tools: [TOOL] },
      ),
    );
    expect(loop.status).toBe(200);
    expect(loop.json).toMatchObject({ content: [{ type: "text", text: "Tool results: 18C" }] });
  });
});

function gemini(body: Record<string, unknown>, model = "gemini-2.5-flash") {
  return postRaw(`${sim.url}/v1beta/models/${model}:generateContent`, JSON.stringify(body), {
    "x-goog-api-key": "k",
  });
}
const CALL = { functionCall: { name: "get_weather", args: { city: "Paris" } } };
const RESPONSE = { functionResponse: { name: "get_weather", response: { output: "18C" } } };
const declare = (parameters: unknown) => ({
  tools: [{ functionDeclarations: [{ name: "get_weather", parameters }] }],
});
const ASK = { role: "user", parts: [{ text: "Weather?" }] };

describe("Gemini request validation", () => {
  const bad: [string, Record<string, unknown>, string][] = [
    ["no contents", {}, "contents is not specified"],
    [
      "an invalid role",
      { contents: [{ role: "assistant", parts: [{ text: "x" }] }] },
      "Please use a valid role: user, model.",
    ],
    ["empty parts", { contents: [{ role: "user", parts: [] }] }, "contents.parts must not be empty"],
    [
      "a function response without a call",
      { contents: [ASK, { role: "user", parts: [RESPONSE] }] },
      "function response turn comes immediately after a function call turn",
    ],
    [
      "fewer responses than calls",
      { contents: [ASK, { role: "model", parts: [CALL, CALL] }, { role: "user", parts: [RESPONSE] }] },
      "number of function response parts is equal to the number of function call parts",
    ],
    [
      "additionalProperties in parameters",
      { contents: [ASK], ...declare({ type: "object", properties: {}, additionalProperties: false }) },
      'Unknown name "additionalProperties"',
    ],
    [
      "$schema in parameters",
      {
        contents: [ASK],
        ...declare({ $schema: "https://json-schema.org/draft/2020-12/schema", type: "object" }),
      },
      'Unknown name "$schema"',
    ],
    [
      "a nested $ref",
      { contents: [ASK], ...declare({ type: "object", properties: { city: { $ref: "#/$defs/City" } } }) },
      'Unknown name "$ref"',
    ],
    [
      "const",
      {
        contents: [ASK],
        ...declare({ type: "object", properties: { unit: { type: "string", const: "c" } } }),
      },
      'Unknown name "const"',
    ],
    [
      "a type array",
      { contents: [ASK], ...declare({ type: "object", properties: { city: { type: ["string", "null"] } } }) },
      "Invalid value at",
    ],
  ];
  it.each(bad)("rejects %s", async (_label, body, message) => {
    const res = await gemini(body);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    expect((res.json as { error: { message: string } }).error.message).toContain(message);
  });

  it("accepts the OpenAPI subset (lowercase types, nullable, enum, anyOf, items)", async () => {
    const res = await gemini({
      contents: [ASK],
      ...declare({
        type: "object",
        properties: {
          city: { type: "string", nullable: true, description: "City" },
          unit: { type: "STRING", enum: ["c", "f"] },
          tags: { type: "array", items: { type: "string" } },
          when: { anyOf: [{ type: "string" }, { type: "integer" }] },
        },
        required: ["city"],
      }),
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      candidates: [{ content: { parts: [{ functionCall: { args: { city: "Weather" } } }] } }],
    });
  });
});
