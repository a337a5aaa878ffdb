import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, readEvents, startHarness } from "./helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

type Chunk = {
  id: string;
  model: string;
  choices: { delta: { content?: string | null; tool_calls?: unknown[] }; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number; cost?: number } | null;
};

describe("POST /v1/chat/completions (non-streaming)", () => {
  it("returns the upstream completion with the requested provider/model and priced usage", async () => {
    const res = await h.chat(ask("What is the capital of France?"));
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
    const body = await res.json();
    expect(body.object).toBe("chat.completion");
    expect(body.model).toBe("openai/gpt-4o-mini");
    expect(body.choices[0].message.content).toBe("The capital of France is Paris.");
    expect(body.choices[0].finish_reason).toBe("stop");
    const u = body.usage;
    expect(u.total_tokens).toBe(u.prompt_tokens + u.completion_tokens);
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output.
    expect(u.cost).toBeCloseTo((u.prompt_tokens * 0.15 + u.completion_tokens * 0.6) / 1e6, 12);
  });

  it("sends the upstream the vendor's model id and never MeshAPI's extensions", async () => {
    h.sim.reset();
    const res = await h.chat(
      ask("hello", { session_id: "s-1", transforms: [], temperature: 0.5, foo_extra: 1 }),
    );
    expect(res.status).toBe(200);
    const seen = h.sim.requests().at(-1);
    const body = seen?.body as Record<string, unknown>;
    expect(body.model).toBe("gpt-4o-mini");
    expect(body.temperature).toBe(0.5);
    expect(body.foo_extra).toBe(1); // unknown fields pass through to OpenAI-compatible upstreams
    expect(body).not.toHaveProperty("session_id");
    expect(body).not.toHaveProperty("transforms");
    expect(seen?.headers.authorization).toBe("Bearer sim-openai-key");
  });

  it("uses the default model when none is given", async () => {
    const res = await h.chat({ messages: [{ role: "user", content: "hi" }] });
    expect(res.status).toBe(200);
    expect((await res.json()).model).toBe("openai/gpt-4o");
  });

  it("estimates usage, marked as such, when the upstream reports none", async () => {
    const res = await h.chat(ask("count me [[sim:no_usage]]"));
    const body = await res.json();
    expect(body.usage.estimated).toBe(true);
    expect(body.usage.prompt_tokens).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
    expect(body.usage.cost).toBeGreaterThan(0);
  });

  it("returns tool calls untouched", async () => {
    const res = await h.chat(
      ask("What's the weather in Paris?", {
        tools: [
          {
            type: "function",
            function: {
              name: "get_weather",
              parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            },
          },
        ],
      }),
    );
    const body = await res.json();
    expect(body.choices[0].finish_reason).toBe("tool_calls");
    expect(body.choices[0].message.tool_calls[0].function).toEqual({
      name: "get_weather",
      arguments: JSON.stringify({ city: "Paris" }),
    });
  });
});

describe("POST /v1/chat/completions (streaming)", () => {
  it("streams chunks, puts usage and cost on the finish chunk, then [DONE]", async () => {
    const res = await h.chat(ask("What is the capital of France?", { stream: true }));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const events = await readEvents(res);
    expect(events.at(-1)).toBe("[DONE]");
    const chunks = events.slice(0, -1) as Chunk[];
    expect(chunks.every((c) => c.model === "openai/gpt-4o-mini")).toBe(true);
    // Every chunk has a choice, so clients reading choices[0] never break.
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("The capital of France is Paris.");
    const last = chunks.at(-1) as Chunk;
    expect(last.choices[0]?.finish_reason).toBe("stop");
    expect(last.usage?.total_tokens).toBeGreaterThan(0);
    expect(last.usage?.cost).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === undefined)).toBe(true);
  });

  it("with include_usage, ends with a choices:[] usage chunk as OpenAI does", async () => {
    const res = await h.chat(ask("hi there", { stream: true, stream_options: { include_usage: true } }));
    const events = await readEvents(res);
    const chunks = events.slice(0, -1) as Chunk[];
    const tail = chunks.at(-1) as Chunk;
    expect(tail.choices).toEqual([]);
    expect(tail.usage?.cost).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop");
  });

  it("always asks the upstream for usage", async () => {
    h.sim.reset();
    await (await h.chat(ask("x", { stream: true }))).text();
    const body = h.sim.requests().at(-1)?.body as { stream_options?: unknown } | undefined;
    expect(body?.stream_options).toEqual({ include_usage: true });
  });

  it("handles usage on the finish chunk (Fireworks style) for both client modes", async () => {
    const plain = (await readEvents(
      await h.chat(ask("a b [[sim:usage_on_finish]]", { stream: true })),
    )) as Chunk[];
    expect(plain.at(-2)?.usage?.total_tokens).toBeGreaterThan(0);
    const withUsage = (await readEvents(
      await h.chat(
        ask("a b [[sim:usage_on_finish]]", { stream: true, stream_options: { include_usage: true } }),
      ),
    )) as Chunk[];
    expect(withUsage.at(-2)?.choices).toEqual([]);
    expect(withUsage.at(-2)?.usage?.total_tokens).toBeGreaterThan(0);
    expect(withUsage.at(-3)?.usage).toBeNull();
  });

  it("estimates stream usage when the upstream sends none", async () => {
    const events = (await readEvents(
      await h.chat(ask("one two [[sim:no_usage]]", { stream: true })),
    )) as Chunk[];
    const last = events.at(-2) as Chunk & { usage: { estimated?: boolean } };
    expect(last.choices[0]?.finish_reason).toBe("stop");
    expect(last.usage.estimated).toBe(true);
    expect(last.usage.completion_tokens).toBeGreaterThan(0);
  });

  it("passes streamed parallel tool-call deltas through untouched", async () => {
    const tools = ["get_weather", "get_time"].map((name) => ({
      type: "function",
      function: {
        name,
        parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      },
    }));
    h.sim.reset();
    const res = await h.chat(ask("Weather and time in Paris [[sim:parallel=2]]", { stream: true, tools }));
    const events = (await readEvents(res)).slice(0, -1) as Chunk[];
    const args = new Map<number, string>();
    for (const c of events) {
      for (const t of (c.choices[0]?.delta.tool_calls ?? []) as {
        index: number;
        function?: { arguments?: string };
      }[]) {
        args.set(t.index, (args.get(t.index) ?? "") + (t.function?.arguments ?? ""));
      }
    }
    expect([...args.values()].map((a) => JSON.parse(a))).toEqual([{ city: "Paris" }, { city: "Paris" }]);
    expect(events.at(-1)?.choices[0]?.finish_reason).toBe("tool_calls");
  });
});
