import { describe, expect, it } from "vitest";
import { answerShape, cacheKey, cacheScope } from "../../src/cache/cache-key.js";
import type { ChatRequest } from "../../src/pipeline/chat-request.js";

const MODELS = ["openai/gpt-4o-mini"];
const base: ChatRequest = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "hello" }],
  temperature: 0.2,
};
const key = (request: Partial<ChatRequest>, scope = "k:key_a", models = MODELS) =>
  cacheKey(scope, models, { ...base, ...request } as ChatRequest);

describe("cache key", () => {
  it("is the same whatever the order of object keys, and names its scope", () => {
    const reordered = {
      temperature: 0.2,
      messages: [{ content: "hello", role: "user" }],
      model: "openai/gpt-4o-mini",
    } as ChatRequest;
    expect(cacheKey("k:key_a", MODELS, reordered)).toBe(key({}));
    expect(key({})).toMatch(/^k:key_a:[0-9a-f]{64}$/);
  });

  it("ignores what cannot change the answer: MeshAPI extensions, labels, top-level nulls", () => {
    const same = [
      { session_id: "s1" },
      { user: "u1" },
      { metadata: { a: "b" } },
      { cache: { ttl: 60 } },
      { template: "greeting", variables: { name: "x" } },
      { transforms: [] },
      { max_tokens: null },
      { stream: false },
    ] as Partial<ChatRequest>[];
    for (const extra of same) expect(key(extra), JSON.stringify(extra)).toBe(key({}));
  });

  it("changes with everything that can change the answer", () => {
    const different = [
      { temperature: 0.3 },
      { messages: [{ role: "user", content: "hello!" }] },
      { tools: [{ type: "function", function: { name: "f" } }] },
      { tool_choice: "required" },
      { response_format: { type: "json_object" } },
      { seed: 7 },
      { stop: ["x"] },
      { max_tokens: 5 },
      { stream: true },
      { stream: true, stream_options: { include_usage: true } },
    ] as Partial<ChatRequest>[];
    const keys = new Set([key({}), ...different.map((d) => key(d))]);
    expect(keys.size).toBe(different.length + 1);
    // The models that may answer (fallbacks included) and the scope are part of it too.
    expect(key({}, "k:key_a", ["openai/gpt-4o"])).not.toBe(key({}));
    expect(key({}, "k:key_a", [...MODELS, "openai/gpt-4o"])).not.toBe(key({}));
    expect(key({}, "k:key_b")).not.toBe(key({}));
  });

  it("scopes a key to itself unless it names a namespace, and names the answer's shape", () => {
    expect(cacheScope("key_a", null)).toBe("k:key_a");
    expect(cacheScope("key_a", "team")).toBe(cacheScope("key_b", "team"));
    expect(answerShape(base)).toBe("json");
    expect(answerShape({ ...base, stream: true })).toBe("stream");
    expect(answerShape({ ...base, stream: true, stream_options: { include_usage: true } })).toBe(
      "stream+usage",
    );
  });
});
