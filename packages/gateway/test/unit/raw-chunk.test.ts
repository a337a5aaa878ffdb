import { describe, expect, it } from "vitest";
import { rewriteRawChunk } from "../../src/pipeline/raw-chunk.js";

const model = JSON.stringify("openai/gpt-4o-mini");
const delta = (extra = "") =>
  `{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024","choices":[{"index":0,"delta":{"content":"hi \\"model\\":\\"x\\""},"finish_reason":null}]${extra}}`;

/** The rewrite, checked to be what parsing and re-serialising would have produced. */
function rewrite(text: string, includeUsage: boolean): Record<string, unknown> | undefined {
  const out = rewriteRawChunk(text, model, includeUsage);
  return out === undefined ? undefined : (JSON.parse(out) as Record<string, unknown>);
}

describe("rewriteRawChunk", () => {
  it("puts the public model in and leaves the content alone", () => {
    const out = rewrite(delta(), false);
    expect(out?.model).toBe("openai/gpt-4o-mini");
    expect(out?.choices).toEqual(JSON.parse(delta()).choices);
    expect(out).not.toHaveProperty("usage");
  });

  it("drops `usage: null` unless the client asked for usage, and adds it when it did", () => {
    expect(rewrite(delta(',"usage":null'), false)).not.toHaveProperty("usage");
    const middle = delta().replace('"choices"', '"usage":null,"choices"');
    expect(rewrite(middle, false)).not.toHaveProperty("usage");
    expect(rewrite(middle, false)?.choices).toEqual(JSON.parse(delta()).choices);
    // Before the model it is left to the parser.
    expect(rewriteRawChunk(`{"usage":null,${delta().slice(1)}`, model, false)).toBeUndefined();
    expect(rewrite(delta(',"usage":null'), true)?.usage).toBeNull();
    expect(rewrite(delta(), true)?.usage).toBeNull();
  });

  it("leaves to the parser every chunk the relay must act on", () => {
    const cases = [
      delta(',"usage":{"prompt_tokens":1}'),
      delta().replace('"finish_reason":null', '"finish_reason":"stop"'),
      delta().replace(/"choices":\[.*\]/, '"choices":[]'),
      delta().replace('"model":"gpt-4o-mini-2024",', ""),
      delta().replace('"gpt-4o-mini-2024"', '"gpt\\u002d4o"'),
      delta(',"usage" : null'), // an unfamiliar spelling of what could be removed
      delta().replace('"finish_reason":null', '"finish_reason" : "length"'),
    ];
    for (const text of cases) expect(rewriteRawChunk(text, model, false), text).toBeUndefined();
  });

  it("accepts a spaced `null` finish_reason", () => {
    expect(rewrite(delta().replace('"finish_reason":null', '"finish_reason" : null'), true)?.model).toBe(
      "openai/gpt-4o-mini",
    );
  });
});
