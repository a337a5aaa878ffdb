import { describe, expect, it } from "vitest";
import type { ChatRequest } from "../../src/pipeline/chat-request.js";
import { alnum9, buildOpenAIBody } from "../../src/providers/openai-body.js";
import { QUIRKS } from "../../src/providers/quirks.js";

const request = (extra: Record<string, unknown> = {}): ChatRequest =>
  ({
    model: "x/y",
    messages: [
      { role: "user", content: "hi", name: "ann" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: "call_abc123XYZ_long", type: "function", function: { name: "f", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "call_abc123XYZ_long", content: "ok" },
    ],
    ...extra,
  }) as ChatRequest;

describe("buildOpenAIBody", () => {
  it("sets the upstream model and asks for usage on streams, keeping the client's stream options", () => {
    const body = buildOpenAIBody(
      request({ stream: true, stream_options: { include_obfuscation: false } }),
      "gpt-4o",
      QUIRKS.openai ?? {},
    );
    expect(body.model).toBe("gpt-4o");
    expect(body.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it("never forwards MeshAPI's extensions, for any vendor, while passing unknown fields through", () => {
    const extensions = {
      template: "t",
      variables: { a: "1" },
      session_id: "s",
      models: ["openai/gpt-4o"],
      transforms: [],
    };
    for (const quirks of [{}, QUIRKS.openai ?? {}, QUIRKS.groq ?? {}, QUIRKS.mistral ?? {}]) {
      const body = buildOpenAIBody(request({ ...extensions, seed: 7, vendor_knob: true }), "m", quirks);
      for (const field of Object.keys(extensions)) expect(body).not.toHaveProperty(field);
      // Vendors with an allow-list (Mistral) get only the fields they accept, possibly renamed.
      if (!quirks.allowFields) expect(body).toMatchObject({ seed: 7, vendor_knob: true });
    }
  });

  it("drops stream fields from non-streaming requests", () => {
    const body = buildOpenAIBody(request({ stream: false }), "m", {});
    expect(body).not.toHaveProperty("stream");
    expect(body).not.toHaveProperty("stream_options");
  });

  it("groq: drops logprobs, logit_bias, top_logprobs and message names", () => {
    const body = buildOpenAIBody(
      request({ logprobs: true, top_logprobs: 2, logit_bias: { "1": 1 }, temperature: 0 }),
      "llama",
      QUIRKS.groq ?? {},
    );
    expect(body).not.toHaveProperty("logprobs");
    expect(body).not.toHaveProperty("top_logprobs");
    expect(body).not.toHaveProperty("logit_bias");
    expect(body.temperature).toBe(0);
    expect((body.messages as { name?: string }[])[0]).not.toHaveProperty("name");
  });

  it("mistral: only its fields, seed → random_seed, max_completion_tokens → max_tokens, required → any, 9-char ids", () => {
    const body = buildOpenAIBody(
      request({
        seed: 7,
        max_completion_tokens: 50,
        tool_choice: "required",
        user: "u",
        logprobs: true,
        stream: true,
      }),
      "mistral-small-latest",
      QUIRKS.mistral ?? {},
    );
    expect(body.random_seed).toBe(7);
    expect(body.max_tokens).toBe(50);
    expect(body).not.toHaveProperty("seed");
    expect(body).not.toHaveProperty("max_completion_tokens");
    expect(body).not.toHaveProperty("user");
    expect(body).not.toHaveProperty("logprobs");
    expect(body).not.toHaveProperty("stream_options");
    expect(body.tool_choice).toBe("any");
    const [, assistant, tool] = body.messages as Record<string, unknown>[];
    const id = (assistant?.tool_calls as { id: string }[] | undefined)?.[0]?.id;
    expect(id).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(tool?.tool_call_id).toBe(id);
  });

  it("ollama: drops tool_choice, logit_bias, user and n", () => {
    const body = buildOpenAIBody(
      request({ tool_choice: "auto", user: "u", n: 1 }),
      "llama3.2",
      QUIRKS.ollama ?? {},
    );
    expect(body).not.toHaveProperty("tool_choice");
    expect(body).not.toHaveProperty("user");
    expect(body).not.toHaveProperty("n");
  });

  it("deepseek: drops logprobs only for the reasoner", () => {
    expect(
      buildOpenAIBody(request({ logprobs: true }), "deepseek-reasoner", QUIRKS.deepseek ?? {}),
    ).not.toHaveProperty("logprobs");
    expect(
      buildOpenAIBody(request({ logprobs: true }), "deepseek-chat", QUIRKS.deepseek ?? {}).logprobs,
    ).toBe(true);
  });

  it("fireworks: asks for an error instead of silently shrinking max_tokens", () => {
    expect(buildOpenAIBody(request(), "m", QUIRKS.fireworks ?? {}).context_length_exceeded_behavior).toBe(
      "error",
    );
  });

  it("never mutates the client's request", () => {
    const r = request({ seed: 1 });
    const snapshot = JSON.stringify(r);
    buildOpenAIBody(r, "m", QUIRKS.mistral ?? {});
    expect(JSON.stringify(r)).toBe(snapshot);
  });
});

describe("alnum9", () => {
  it("is stable, 9 alphanumerics, and keeps ids that already fit", () => {
    expect(alnum9("call_1")).toBe(alnum9("call_1"));
    expect(alnum9("call_1")).toMatch(/^[a-zA-Z0-9]{9}$/);
    expect(alnum9("call_1")).not.toBe(alnum9("call_2"));
    expect(alnum9("abcDEF123")).toBe("abcDEF123");
  });
});
