import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../../src/config/config.js";
import { geminiStatusError, retryDelaySeconds } from "../../../src/providers/gemini/errors.js";
import {
  fromGeminiResponse,
  geminiFinishReason,
  geminiUsage,
} from "../../../src/providers/gemini/response.js";
import { GeminiStreamTranslator } from "../../../src/providers/gemini/stream.js";
import {
  decodeCallId,
  encodeCallId,
  MAX_ENCODED_ID_LENGTH,
} from "../../../src/providers/gemini/tool-call-id.js";
import type { ChatCompletionChunk } from "../../../src/providers/openai-types.js";
import { thrown } from "./thrown.js";

describe("geminiFinishReason (reference §4.2, §4.4 item 11)", () => {
  it.each([
    ["STOP", false, "stop"],
    ["STOP", true, "tool_calls"],
    ["MAX_TOKENS", false, "length"],
    ["SAFETY", false, "content_filter"],
    ["RECITATION", true, "content_filter"],
    ["PROHIBITED_CONTENT", false, "content_filter"],
    ["IMAGE_SAFETY", false, "content_filter"],
    ["OTHER", false, "stop"],
    ["MALFORMED_FUNCTION_CALL", false, "stop"],
    [undefined, false, "stop"],
  ])("%s (tool calls: %s) → %s", (reason, calls, expected) => {
    expect(geminiFinishReason(reason, calls)).toBe(expected);
  });
});

describe("geminiUsage", () => {
  it("counts tool-use prompt tokens in the prompt and thinking tokens in the completion", () => {
    expect(
      geminiUsage({
        promptTokenCount: 100,
        toolUsePromptTokenCount: 5,
        cachedContentTokenCount: 60,
        candidatesTokenCount: 20,
        thoughtsTokenCount: 300,
        totalTokenCount: 425,
      }),
    ).toEqual({
      prompt_tokens: 105,
      completion_tokens: 320,
      total_tokens: 425,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 300 },
    });
    expect(geminiUsage({ promptTokenCount: 3 })).toMatchObject({
      prompt_tokens: 3,
      completion_tokens: 0,
      total_tokens: 3,
    });
  });
});

describe("tool-call ids (reference §4.4 items 5, 6)", () => {
  it("round-trip Gemini's id and signature, and use Anthropic-safe characters", () => {
    const id = encodeCallId({ geminiId: "fc_1", signature: "A+b/c==" });
    expect(id).toMatch(/^call_gm1_[A-Za-z0-9_-]+$/);
    expect(decodeCallId(id)).toEqual({ geminiId: "fc_1", signature: "A+b/c==" });
  });

  it("are plain random ids when there is nothing to carry", () => {
    const a = encodeCallId({});
    expect(a).toMatch(/^call_[0-9a-f]{24}$/);
    expect(a).not.toBe(encodeCallId({}));
    expect(decodeCallId(a)).toEqual({});
  });

  it("decode to nothing for foreign or damaged ids", () => {
    expect(decodeCallId("toolu_01abc")).toEqual({});
    expect(decodeCallId("call_gm1_%%%")).toEqual({});
    expect(decodeCallId(`call_gm1_${Buffer.from('{"s":5}').toString("base64url")}`)).toEqual({});
  });

  it("keep very long signatures in memory behind a short reference", () => {
    const signature = "s".repeat(MAX_ENCODED_ID_LENGTH);
    const id = encodeCallId({ signature });
    expect(id).toMatch(/^call_gmr_[0-9a-f]{24}$/);
    expect(decodeCallId(id)).toEqual({ signature });
    expect(decodeCallId("call_gmr_000000000000000000000000")).toEqual({});
  });
});

describe("fromGeminiResponse", () => {
  it("maps text, drops thoughts, and turns functionCall parts into tool calls", () => {
    const completion = fromGeminiResponse(
      {
        responseId: "r1",
        candidates: [
          {
            content: {
              role: "model",
              parts: [
                { text: "thinking…", thought: true },
                { text: "Sure." },
                { functionCall: { name: "f", args: { a: 1 } }, thoughtSignature: "sig" },
                { functionCall: { id: "g1", name: "g" } },
              ],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 6, totalTokenCount: 10 },
      },
      "gemini-x",
    );
    const message = completion.choices[0]?.message;
    expect(completion.id).toBe("r1");
    expect(message?.content).toBe("Sure.");
    expect(
      message?.tool_calls?.map((c) => [c.function.name, c.function.arguments, decodeCallId(c.id)]),
    ).toEqual([
      ["f", '{"a":1}', { signature: "sig" }],
      ["g", "{}", { geminiId: "g1" }],
    ]);
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.usage?.total_tokens).toBe(10);
  });

  it("a blocked prompt is content_filter with empty content; no usageMetadata means no usage", () => {
    const completion = fromGeminiResponse({ promptFeedback: { blockReason: "SAFETY" } }, "m");
    expect(completion.choices[0]?.finish_reason).toBe("content_filter");
    expect(completion.choices[0]?.message.content).toBe("");
    expect(completion.usage).toBeUndefined();
    expect(completion.id).toMatch(/^chatcmpl-/);
  });
});

describe("GeminiStreamTranslator (reference §4.3)", () => {
  const deltas = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta ?? null);

  it("streams text, complete tool calls, the finish reason and the last usage", () => {
    const t = new GeminiStreamTranslator("gemini-x", "google");
    const usage = (n: number) => ({ promptTokenCount: 5, candidatesTokenCount: n, totalTokenCount: 5 + n });
    const out = [
      ...t.push({
        responseId: "r9",
        candidates: [{ content: { parts: [{ text: "Let me " }] } }],
        usageMetadata: usage(1),
      }),
      ...t.push({
        candidates: [
          {
            content: {
              parts: [
                { text: "" },
                { functionCall: { name: "f", args: { q: "x" } }, thoughtSignature: "sig" },
                { functionCall: { name: "g", args: {} } },
              ],
            },
            finishReason: "STOP",
          },
        ],
        usageMetadata: usage(9),
      }),
      ...t.push({ candidates: [{ content: { parts: [] } }], usageMetadata: usage(10) }),
      ...t.end(),
    ];
    expect(out.every((c) => c.id === "r9")).toBe(true);
    const d = deltas(out);
    expect(d[0]).toEqual({ role: "assistant", content: "" });
    expect(d[1]).toEqual({ content: "Let me " });
    expect(d[2]).toMatchObject({
      tool_calls: [{ index: 0, type: "function", function: { name: "f", arguments: '{"q":"x"}' } }],
    });
    expect(decodeCallId(String(out[2]?.choices[0]?.delta.tool_calls?.[0]?.id))).toEqual({ signature: "sig" });
    expect(d[3]).toMatchObject({ tool_calls: [{ index: 1, function: { name: "g", arguments: "{}" } }] });
    expect(out[4]?.choices[0]).toMatchObject({ delta: {}, finish_reason: "tool_calls" });
    expect(out[5]?.choices).toEqual([]);
    expect(out[5]?.usage?.completion_tokens).toBe(10);
    expect(out).toHaveLength(6);
  });

  it("a blocked prompt finishes with content_filter", () => {
    const t = new GeminiStreamTranslator("m", "google");
    const out = [...t.push({ promptFeedback: { blockReason: "OTHER" } }), ...t.end()];
    expect(out.map((c) => c.choices[0]?.finish_reason ?? null)).toEqual([null, "content_filter"]);
  });

  it("an error object mid-stream throws; a stream without a finish reason fails at the end", () => {
    const t = new GeminiStreamTranslator("m", "google");
    t.push({ candidates: [{ content: { parts: [{ text: "a" }] } }] });
    const err = thrown(() =>
      t.push({ error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } }),
    );
    expect(err.message).toBe("google failed mid-stream (UNAVAILABLE): The model is overloaded.");
    expect(thrown(() => t.end()).message).toContain("closed the stream before it finished");
  });
});

describe("geminiStatusError (reference §3.4)", () => {
  const provider = { name: "google", apiKeyEnv: "GEMINI_API_KEY" } as ProviderConfig;
  const body = (code: number, status: string, details?: unknown[]) =>
    JSON.stringify({ error: { code, message: `${status}!`, status, ...(details ? { details } : {}) } });

  it("a key Google refuses is a 502 naming the variable", () => {
    const err = geminiStatusError(
      provider,
      400,
      {},
      body(400, "INVALID_ARGUMENT", [{ reason: "API_KEY_INVALID" }]),
    );
    expect(err.status).toBe(502);
    expect(err.message).toContain("GEMINI_API_KEY");
  });

  it("RESOURCE_EXHAUSTED takes its delay from RetryInfo when there is no header", () => {
    const retry = [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "12.2s" }];
    const err = geminiStatusError(provider, 429, {}, body(429, "RESOURCE_EXHAUSTED", retry));
    expect(err.status).toBe(429);
    expect(err.retryAfterSeconds).toBe(13);
    expect(
      geminiStatusError(provider, 429, { "retry-after": "2" }, body(429, "RESOURCE_EXHAUSTED", retry))
        .retryAfterSeconds,
    ).toBe(2);
    expect(
      retryDelaySeconds({ error: { details: [{ "@type": "x.RetryInfo", retryDelay: "soon" }] } }),
    ).toBeUndefined();
  });

  it.each([
    [400, "INVALID_ARGUMENT", 400],
    [400, "FAILED_PRECONDITION", 400],
    [403, "PERMISSION_DENIED", 502],
    [404, "NOT_FOUND", 404],
    [500, "INTERNAL", 502],
    [503, "UNAVAILABLE", 502],
    [504, "DEADLINE_EXCEEDED", 502],
  ])("HTTP %i %s → %i with the vendor's message", (status, name, expected) => {
    const err = geminiStatusError(provider, status, {}, body(status, name));
    expect(err.status).toBe(expected);
    expect(err.message).toContain(`${name}!`);
  });
});
