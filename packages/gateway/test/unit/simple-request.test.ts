import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors/catalog.js";
import { chatRequestSchema } from "../../src/pipeline/chat-request.js";
import { simpleChatRequest } from "../../src/pipeline/simple-request.js";
import { validateChatRequest } from "../../src/pipeline/validate.js";

/** A small deterministic PRNG (mulberry32), so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Values near and across each field's bounds, of right and wrong types.
const NUMBERS = [-3, -2, -1.5, -1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 20, 21, 128, 129, 1e21, 2 ** 53, Infinity];
const ANY = [...NUMBERS, null, true, false, "", "x", "openai/gpt-4o", [], {}, ["a"], { a: 1 }];
const FIELDS = [
  "model",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "n",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "top_logprobs",
  "logprobs",
  "stream",
  "parallel_tool_calls",
  "user",
  "session_id",
  // Fields the shortcut leaves to the schema.
  "stream_options",
  "tools",
  "template",
  "metadata",
  "stop",
  "unknown_field",
  "__proto__",
];
const ROLES = ["system", "developer", "user", "assistant", "tool", "function", "robot", ""];
const CONTENTS = ["hi", "", null, 3, [], [{ type: "text", text: "hi" }], { text: "hi" }];
const MESSAGE_EXTRAS = ["name", "tool_call_id", "tool_calls", "refusal", "extra"];

/** Values each field's rule accepts; bodies mostly use these, so both outcomes are frequent. */
const VALID: Record<string, readonly unknown[]> = {
  model: ["openai/gpt-4o", "groq/llama-3.1-8b", "a/b"],
  max_tokens: [1, 100, null],
  max_completion_tokens: [1, 4096, null],
  temperature: [0, 0.7, 2, null],
  top_p: [0, 0.5, 1, null],
  n: [1, 128, null],
  seed: [-5, 0, 42, null],
  frequency_penalty: [-2, 0, 2, null],
  presence_penalty: [-2, 1.5, null],
  top_logprobs: [0, 20, null],
  logprobs: [true, false, null],
  stream: [true, false, null],
  parallel_tool_calls: [true, false],
  user: ["u", ""],
  session_id: ["s", "x".repeat(256)],
};
const INVALID: Record<string, readonly unknown[]> = {
  model: ["gpt-4o", "Openai/x", "a/b c", "", 4, null],
  session_id: ["", "x".repeat(257), 1],
  user: [1, null],
};

function generateBody(random: () => number): Record<string, unknown> {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const body: Record<string, unknown> = {};
  for (const field of FIELDS) {
    const valid = VALID[field];
    if (random() >= (valid ? 0.3 : 0.03)) continue;
    const value = valid && random() < 0.9 ? pick(valid) : pick(INVALID[field] ?? ANY);
    // A JSON-parsed `__proto__` is an own property; build it the same way.
    Object.defineProperty(body, field, { value, enumerable: true, writable: true, configurable: true });
  }
  if (random() < 0.95) {
    const count = Math.floor(random() * 4);
    body.messages =
      random() < 0.03
        ? pick(ANY)
        : Array.from({ length: count }, () => {
            const message: Record<string, unknown> = {};
            const plain = random() < 0.85;
            if (random() < 0.98) message.role = plain ? pick(ROLES.slice(0, 4)) : pick(ROLES);
            if (random() < 0.98) message.content = plain ? pick(["hi", ""]) : pick(CONTENTS);
            if (random() < 0.1) message.name = pick(["n", 1]);
            if (random() < 0.05) message[pick(MESSAGE_EXTRAS)] = pick(["n", 1, null]);
            return message;
          });
  }
  return body;
}

describe("simpleChatRequest", () => {
  it("accepts only what the schema accepts, and returns what the schema returns", () => {
    let accepted = 0;
    let declinedValid = 0;
    for (let seed = 1; seed <= 20_000; seed++) {
      const body = generateBody(rng(seed));
      const fast = simpleChatRequest(body);
      const schema = chatRequestSchema.safeParse(body);
      if (fast !== undefined) {
        accepted++;
        expect(schema.success, `seed ${seed}: ${JSON.stringify(body)}`).toBe(true);
        expect(fast, `seed ${seed}`).toEqual(schema.data);
      } else if (schema.success) {
        declinedValid++;
      }
    }
    // Both branches were exercised, so the comparison above was not vacuous.
    expect(accepted).toBeGreaterThan(500);
    expect(declinedValid).toBeGreaterThan(500);
  });

  it("takes the everyday body and leaves richer ones to the schema", () => {
    const everyday = {
      model: "openai/gpt-4o-mini",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "Hello", name: "ann" },
      ],
      temperature: 0.2,
      max_tokens: 100,
      stream: true,
      session_id: "s-1",
    };
    expect(simpleChatRequest(everyday)).toBe(everyday);
    expect(simpleChatRequest({ ...everyday, tools: [] })).toBeUndefined();
    expect(simpleChatRequest({ ...everyday, template: "t" })).toBeUndefined();
    expect(simpleChatRequest({ ...everyday, messages: [] })).toBeUndefined();
    expect(
      simpleChatRequest({
        ...everyday,
        messages: [{ role: "user", content: [{ type: "text", text: "x" }] }],
      }),
    ).toBeUndefined();
  });

  it("leaves validateChatRequest's errors to the schema: every bad field is still reported", () => {
    const bad = { model: "openai/gpt-4o", messages: [{ role: "user", content: "x" }], temperature: 3, n: 0 };
    try {
      validateChatRequest(bad);
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      const locs = (err as GatewayError).details?.map((d) => d.loc.join("."));
      expect(locs).toEqual(expect.arrayContaining(["body.temperature", "body.n"]));
    }
  });
});
