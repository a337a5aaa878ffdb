import { describe, expect, it } from "vitest";
import { ChatCompletionAccumulator, type ChatCompletionChunk } from "../src/index.js";

function chunk(
  choices: ChatCompletionChunk["choices"],
  extra: Partial<ChatCompletionChunk> = {},
): ChatCompletionChunk {
  return { id: "c1", object: "chat.completion.chunk", created: 5, model: "openai/gpt-4o", choices, ...extra };
}

describe("ChatCompletionAccumulator", () => {
  it("keeps several choices apart by index and orders them", () => {
    const acc = new ChatCompletionAccumulator();
    acc.add(chunk([{ index: 1, delta: { role: "assistant", content: "B1" }, finish_reason: null }]));
    acc.add(chunk([{ index: 0, delta: { role: "assistant", content: "A1" }, finish_reason: null }]));
    acc.add(
      chunk([
        { index: 0, delta: { content: " A2" }, finish_reason: "stop" },
        { index: 1, delta: { content: " B2" }, finish_reason: "length" },
      ]),
    );
    const completion = acc.toCompletion();
    expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, "A1 A2", "stop"],
      [1, "B1 B2", "length"],
    ]);
    expect(completion).toMatchObject({
      id: "c1",
      object: "chat.completion",
      created: 5,
      model: "openai/gpt-4o",
    });
  });

  it("sets tool-call ids and names once even when a provider repeats them", () => {
    const acc = new ChatCompletionAccumulator();
    const fragment = (args: string) =>
      chunk([
        {
          index: 0,
          delta: {
            tool_calls: [
              { index: 0, id: "call_1", type: "function", function: { name: "lookup", arguments: args } },
            ],
          },
          finish_reason: null,
        },
      ]);
    acc.add(fragment('{"q":'));
    acc.add(fragment('"x"}'));
    expect(acc.toCompletion().choices[0]?.message.tool_calls).toEqual([
      { id: "call_1", type: "function", function: { name: "lookup", arguments: '{"q":"x"}' } },
    ]);
  });

  it("collects refusals, logprobs, fingerprint and the last usage", () => {
    const acc = new ChatCompletionAccumulator();
    const logprob = { token: "No", logprob: -0.1, bytes: [78, 111], top_logprobs: [] };
    acc.add(
      chunk([{ index: 0, delta: { refusal: "No" }, finish_reason: null, logprobs: { content: [logprob] } }], {
        system_fingerprint: "fp_1",
        usage: null,
      }),
    );
    acc.add(chunk([{ index: 0, delta: { refusal: "pe." }, finish_reason: "stop" }]));
    acc.add(chunk([], { usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cost: 0.5 } }));
    const completion = acc.toCompletion();
    expect(completion.choices[0]?.message).toEqual({ role: "assistant", content: null, refusal: "Nope." });
    expect(completion.choices[0]?.logprobs).toEqual({ content: [logprob] });
    expect(completion.system_fingerprint).toBe("fp_1");
    expect(completion.usage?.cost).toBe(0.5);
  });

  it("gives an empty completion before any chunk", () => {
    expect(new ChatCompletionAccumulator().toCompletion().choices).toEqual([]);
  });
});
