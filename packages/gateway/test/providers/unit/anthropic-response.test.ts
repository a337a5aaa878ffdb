import { describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../../src/config/config.js";
import { anthropicStatusError } from "../../../src/providers/anthropic/errors.js";
import {
  anthropicFinishReason,
  anthropicUsage,
  fromAnthropicMessage,
} from "../../../src/providers/anthropic/response.js";
import {
  AnthropicStreamTranslator,
  translateAnthropicStream,
} from "../../../src/providers/anthropic/stream.js";
import type { ChatCompletionChunk } from "../../../src/providers/openai-types.js";
import type { SseEvent } from "../../../src/providers/sse-events.js";
import { rejected, thrown } from "./thrown.js";

describe("anthropicFinishReason (reference §4.2)", () => {
  it.each([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["pause_turn", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["refusal", "content_filter"],
    ["something_new", "stop"],
    [null, "stop"],
  ])("%s → %s", (reason, expected) => {
    expect(anthropicFinishReason(reason)).toBe(expected);
  });
});

describe("anthropicUsage", () => {
  it("adds cached parts to the prompt and reports cache reads, writes and thinking separately", () => {
    expect(
      anthropicUsage({
        input_tokens: 10,
        cache_read_input_tokens: 100,
        cache_creation_input_tokens: 20,
        output_tokens: 30,
        output_tokens_details: { thinking_tokens: 12 },
      }),
    ).toEqual({
      prompt_tokens: 130,
      completion_tokens: 30,
      total_tokens: 160,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 20 },
      completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it("reads missing and null counts as zero", () => {
    expect(
      anthropicUsage({ input_tokens: 3, output_tokens: 1, cache_read_input_tokens: null }),
    ).toMatchObject({
      prompt_tokens: 3,
      total_tokens: 4,
      prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    });
  });
});

describe("fromAnthropicMessage", () => {
  it("joins text blocks, turns tool_use into tool calls and drops thinking", () => {
    const completion = fromAnthropicMessage(
      {
        id: "msg_1",
        content: [
          { type: "thinking", thinking: "hmm", signature: "s" },
          { type: "text", text: "Let me " },
          { type: "text", text: "check." },
          { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
        ],
        stop_reason: "tool_use",
        usage: { input_tokens: 5, output_tokens: 7 },
      },
      "claude-x",
    );
    expect(completion).toMatchObject({ id: "msg_1", object: "chat.completion", model: "claude-x" });
    expect(completion.choices).toEqual([
      {
        index: 0,
        message: {
          role: "assistant",
          content: "Let me check.",
          refusal: null,
          tool_calls: [
            {
              id: "toolu_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        logprobs: null,
        finish_reason: "tool_calls",
      },
    ]);
    expect(completion.usage?.total_tokens).toBe(12);
  });

  it("has content null for a turn that is only tool calls", () => {
    const completion = fromAnthropicMessage(
      { id: "m", content: [{ type: "tool_use", id: "t", name: "f", input: {} }], stop_reason: "tool_use" },
      "c",
    );
    expect(completion.choices[0]?.message.content).toBeNull();
    expect(completion.choices[0]?.message.tool_calls?.[0]?.function.arguments).toBe("{}");
  });
});

/** The events of a turn with a text block, then two tool_use blocks (one without arguments). */
function turnEvents(): Record<string, unknown>[] {
  return [
    {
      type: "message_start",
      message: { id: "msg_9", usage: { input_tokens: 40, cache_read_input_tokens: 8, output_tokens: 1 } },
    },
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "ping" },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Checking" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "" } },
    { type: "content_block_stop", index: 0 },
    {
      type: "content_block_start",
      index: 1,
      content_block: { type: "tool_use", id: "toolu_a", name: "get_weather", input: {} },
    },
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: "" } },
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"city":' } },
    { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '"Paris"}' } },
    { type: "content_block_stop", index: 1 },
    {
      type: "content_block_start",
      index: 2,
      content_block: { type: "tool_use", id: "toolu_b", name: "now", input: {} },
    },
    { type: "content_block_stop", index: 2 },
    { type: "some_future_event", detail: 1 },
    {
      type: "message_delta",
      delta: { stop_reason: "tool_use" },
      usage: { output_tokens: 25, input_tokens: null },
    },
    { type: "message_stop" },
  ];
}

function translate(events: Record<string, unknown>[]): ChatCompletionChunk[] {
  const t = new AnthropicStreamTranslator("claude-x", "anthropic");
  return events.flatMap((e) => t.push(e));
}

describe("AnthropicStreamTranslator (reference §4.3)", () => {
  it("translates a turn with text and tool calls, numbering tool calls among themselves", () => {
    const chunks = translate(turnEvents());
    expect(chunks.every((c) => c.id === "msg_9" && c.model === "claude-x")).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([
      { role: "assistant", content: "" },
      { content: "Checking" },
      {
        tool_calls: [
          { index: 0, id: "toolu_a", type: "function", function: { name: "get_weather", arguments: "" } },
        ],
      },
      { tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] },
      { tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] },
      {
        tool_calls: [{ index: 1, id: "toolu_b", type: "function", function: { name: "now", arguments: "" } }],
      },
      // A tool that streamed no arguments still gets a parseable "{}".
      { tool_calls: [{ index: 1, function: { arguments: "{}" } }] },
      {},
      null,
    ]);
    expect(chunks[7]?.choices[0]?.finish_reason).toBe("tool_calls");
    // Usage merged from message_start (input, cache) and message_delta (output); the null is not a zero.
    expect(chunks[8]?.usage).toMatchObject({
      prompt_tokens: 48,
      completion_tokens: 25,
      prompt_tokens_details: { cached_tokens: 8 },
    });
  });

  it("an error event throws the vendor's error", () => {
    const t = new AnthropicStreamTranslator("m", "anthropic");
    t.push({ type: "message_start", message: { id: "x", usage: {} } });
    const err = thrown(() =>
      t.push({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
    );
    expect(err.code).toBe("upstream_error");
    expect(err.message).toBe("anthropic failed mid-stream (overloaded_error): Overloaded");
    expect(err.providerError).toEqual({
      type: "error",
      error: { type: "overloaded_error", message: "Overloaded" },
    });
  });

  it("stops reading at message_stop and fails a stream that ends before it", async () => {
    const events = (list: Record<string, unknown>[]): AsyncIterable<SseEvent> =>
      (async function* () {
        for (const e of list) yield { event: String(e.type), data: JSON.stringify(e) };
      })();
    const collect = async (list: Record<string, unknown>[]) => {
      const out: ChatCompletionChunk[] = [];
      const t = new AnthropicStreamTranslator("m", "anthropic");
      for await (const c of translateAnthropicStream(events(list), t, (e) => JSON.parse(e.data))) out.push(c);
      return out;
    };
    const all = turnEvents();
    expect(await collect([...all, { type: "message_start", message: {} }])).toHaveLength(9);
    const err = await rejected(collect(all.slice(0, -1)));
    expect(err.message).toContain("closed the stream before it finished");
  });
});

describe("anthropicStatusError (reference §2.6)", () => {
  const provider = { name: "anthropic", apiKeyEnv: "ANTHROPIC_API_KEY" } as ProviderConfig;
  const body = (type: string) => JSON.stringify({ type: "error", error: { type, message: `${type}!` } });

  it.each([
    [529, "overloaded_error", {}, 503],
    [500, "overloaded_error", {}, 503],
    [429, "rate_limit_error", { "retry-after": "9" }, 429],
    [401, "authentication_error", {}, 502],
    [403, "permission_error", {}, 502],
    [400, "invalid_request_error", {}, 400],
    [413, "request_too_large", {}, 413],
    [404, "not_found_error", {}, 404],
    [500, "api_error", {}, 502],
  ])("HTTP %i %s → %i", (status, type, headers, expected) => {
    const err = anthropicStatusError(provider, status, headers, body(type));
    expect(err.code).toBe("upstream_error");
    expect(err.status).toBe(expected);
    expect(err.message).toContain(`${type}!`);
    expect(err.providerError).toEqual(JSON.parse(body(type)));
    if (status === 429) expect(err.retryAfterSeconds).toBe(9);
  });
});
