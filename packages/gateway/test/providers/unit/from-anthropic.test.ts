/** The Anthropic → chat translation of `/v1/messages` and the chat chunk → Anthropic event writer. */
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../../src/errors/catalog.js";
import type { MessagesRequest } from "../../../src/pipeline/messages-request.js";
import type { ChatCompletionChunk } from "../../../src/providers/openai-types.js";
import { toChatRequest } from "../../../src/providers/translate/from-anthropic/request.js";
import { AnthropicEventWriter } from "../../../src/providers/translate/from-anthropic/stream.js";

const base = (extra: Partial<MessagesRequest>): MessagesRequest => ({
  model: "m",
  max_tokens: 10,
  messages: [{ role: "user", content: "hi" }],
  ...extra,
});

function refusal(req: MessagesRequest): GatewayError {
  try {
    toChatRequest(req, "openai/gpt-4o");
  } catch (err) {
    expect(err).toBeInstanceOf(GatewayError);
    return err as GatewayError;
  }
  throw new Error("expected a refusal");
}

describe("toChatRequest", () => {
  it("puts tool results first as tool messages, then the turn's text; drops earlier thinking", () => {
    const chat = toChatRequest(
      base({
        system: [
          { type: "text", text: "a" },
          { type: "text", text: "b" },
        ],
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: [
              { type: "thinking", thinking: "hmm", signature: "sig" },
              { type: "text", text: "Checking." },
              { type: "tool_use", id: "t1", name: "w", input: { city: "Paris" } },
            ],
          },
          {
            role: "user",
            content: [
              { type: "text", text: "and then?" },
              {
                type: "tool_result",
                tool_use_id: "t1",
                content: [{ type: "text", text: "sunny" }],
                is_error: true,
              },
            ],
          },
        ],
      }),
      "openai/gpt-4o",
    );
    expect(chat.messages).toEqual([
      { role: "system", content: "a\nb" },
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [{ id: "t1", type: "function", function: { name: "w", arguments: '{"city":"Paris"}' } }],
      },
      { role: "tool", tool_call_id: "t1", content: "Error: sunny" },
      { role: "user", content: "and then?" },
    ]);
  });

  it("maps images, tool choice and parallelism", () => {
    const chat = toChatRequest(
      base({
        messages: [
          {
            role: "user",
            content: [
              { type: "image", source: { type: "base64", media_type: "image/png", data: "AAAA" } },
              { type: "image", source: { type: "url", url: "https://x/y.png" } },
            ],
          },
        ],
        tools: [{ name: "w", input_schema: { type: "object" } }],
        tool_choice: { type: "any", disable_parallel_tool_use: true },
      }),
      "openai/gpt-4o",
    );
    expect((chat.messages as unknown[])[0]).toEqual({
      role: "user",
      content: [
        { type: "image_url", image_url: { url: "data:image/png;base64,AAAA" } },
        { type: "image_url", image_url: { url: "https://x/y.png" } },
      ],
    });
    expect(chat.tool_choice).toBe("required");
    expect(chat.parallel_tool_calls).toBe(false);
  });

  it("refuses what a chat request cannot carry, naming the field", () => {
    expect(refusal(base({ top_k: 3 })).param).toBe("top_k");
    expect(refusal(base({ stop_sequences: ["1", "2", "3", "4", "5"] })).param).toBe("stop_sequences");
    expect(refusal(base({ tools: [{ name: "s", type: "web_search_20250305" }] })).param).toBe("tools.0.type");
    const doc = refusal(base({ messages: [{ role: "user", content: [{ type: "document", source: {} }] }] }));
    expect(doc.param).toBe("messages.0.content.0.type");
    expect(doc.code).toBe("unsupported_feature");
  });
});

describe("AnthropicEventWriter", () => {
  const chunk = (delta: ChatCompletionChunk["choices"][number]["delta"], finish: string | null = null) =>
    ({
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta, finish_reason: finish }],
    }) as ChatCompletionChunk;

  it("opens one block per text run and per tool call, and ends with usage and the stop reason", () => {
    const w = new AnthropicEventWriter("claude-x");
    const events = [
      ...w.push(chunk({ role: "assistant", content: "Hi" })),
      ...w.push(
        chunk({ tool_calls: [{ index: 0, id: "call_1", function: { name: "w", arguments: '{"a"' } }] }),
      ),
      ...w.push(chunk({ tool_calls: [{ index: 0, function: { arguments: ":1}" } }] }, "tool_calls")),
      ...w.push({
        id: "c1",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: [],
        usage: { prompt_tokens: 7, completion_tokens: 3, total_tokens: 10, cost: 0.5 },
      }),
    ];
    expect(events.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    expect(events[4]?.data).toMatchObject({
      index: 1,
      content_block: { type: "tool_use", id: "call_1", name: "w" },
    });
    expect(events[8]?.data).toEqual({
      type: "message_delta",
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: {
        input_tokens: 7,
        output_tokens: 3,
        cache_read_input_tokens: 0,
        cache_creation_input_tokens: 0,
        cost: 0.5,
      },
    });
  });
});
