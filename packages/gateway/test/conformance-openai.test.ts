import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers/harness.js";

/** The official OpenAI SDK, pointed at the gateway with a MeshAPI key, must work unchanged. */
let h: Harness;
let client: OpenAI;
beforeAll(async () => {
  h = await startHarness();
  client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 });
});
afterAll(() => h.close());

const weatherTool: OpenAI.Chat.Completions.ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("official openai client", () => {
  it("create", async () => {
    const completion = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "What is the capital of France?" },
      ],
      temperature: 0.7,
      max_tokens: 256,
    });
    expect(completion.choices[0]?.message.content).toBe("The capital of France is Paris.");
    expect(completion.model).toBe("openai/gpt-4o-mini");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  });

  it("withResponse exposes the gateway's request id", async () => {
    const { response, request_id } = await client.chat.completions
      .create({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] })
      .withResponse();
    expect(response.headers.get("x-request-id")).toMatch(/^req_/);
    expect(request_id).toMatch(/^req_/);
  });

  it("stream", async () => {
    const stream = await client.chat.completions.create({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "Write a haiku about TypeScript." }],
      stream: true,
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? "";
      usage = chunk.usage ?? usage;
    }
    expect(text).toBe("You said: Write a haiku about TypeScript.");
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it("stream with include_usage, through the SDK's stream helper", async () => {
    const runner = client.chat.completions.stream({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "What is the capital of France?" }],
      stream_options: { include_usage: true },
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("The capital of France is Paris.");
    expect(final.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it("tools", async () => {
    const completion = await client.chat.completions.create({
      model: "openai/gpt-4o",
      messages: [{ role: "user", content: "What's the weather in Paris?" }],
      tools: [weatherTool],
      tool_choice: "auto",
    });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type).toBe("function");
    if (call?.type !== "function") throw new Error("expected a function call");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
  });

  it("streamed tool calls reassemble through the SDK's accumulator", async () => {
    const runner = client.chat.completions.stream({
      model: "openai/gpt-4o",
      messages: [{ role: "user", content: "What's the weather in Paris? [[sim:parallel=2]]" }],
      tools: [weatherTool, { ...weatherTool, function: { ...weatherTool.function, name: "get_time" } }],
      tool_choice: "auto",
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0]?.message.tool_calls ?? [];
    expect(calls).toHaveLength(2);
    for (const call of calls) {
      if (call.type !== "function") throw new Error("expected a function call");
      expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
    }
  });

  it("a multi-turn tool loop", async () => {
    const completion = await client.chat.completions.create({
      model: "openai/gpt-4o",
      messages: [
        { role: "user", content: "What's the weather in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_1",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_1", content: "18C and sunny" },
      ],
      tools: [weatherTool],
    });
    expect(completion.choices[0]?.message.content).toBe("Tool results: 18C and sunny");
  });

  it("models.list", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toContain("openai/gpt-4o-mini");
  });

  describe("each error class", () => {
    const cases: [string, () => Promise<unknown>, abstract new (...args: never[]) => Error, number][] = [
      [
        "400 upstream",
        () =>
          client.chat.completions.create({
            model: "openai/gpt-4o",
            messages: [{ role: "user", content: "[[sim:status=400]]" }],
          }),
        OpenAI.BadRequestError,
        400,
      ],
      [
        "401",
        () =>
          new OpenAI({
            baseURL: `${h.url}/v1`,
            apiKey: "rsk_01JAAAAAAAAAAAAAAAAAAAAAAA",
            maxRetries: 0,
          }).chat.completions.create({
            model: "openai/gpt-4o",
            messages: [{ role: "user", content: "x" }],
          }),
        OpenAI.AuthenticationError,
        401,
      ],
      [
        "404 model",
        () => client.chat.completions.create({ model: "nope/x", messages: [{ role: "user", content: "x" }] }),
        OpenAI.NotFoundError,
        404,
      ],
      [
        "422",
        () =>
          client.chat.completions.create({
            model: "openai/gpt-4o",
            messages: [{ role: "user", content: "x" }],
            temperature: 5,
          }),
        OpenAI.UnprocessableEntityError,
        422,
      ],
      [
        "429",
        () =>
          client.chat.completions.create({
            model: "openai/gpt-4o",
            messages: [{ role: "user", content: "[[sim:status=429]]" }],
          }),
        OpenAI.RateLimitError,
        429,
      ],
      [
        "502",
        () =>
          client.chat.completions.create({
            model: "openai/gpt-4o",
            messages: [{ role: "user", content: "[[sim:status=500]]" }],
          }),
        OpenAI.InternalServerError,
        502,
      ],
    ];
    for (const [name, call, cls, status] of cases) {
      it(name, async () => {
        const err = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(cls);
        const apiErr = err as InstanceType<typeof OpenAI.APIError>;
        expect(apiErr.status).toBe(status);
        expect(apiErr.requestID).toMatch(/^req_/);
        expect((apiErr.error as { code?: string }).code).toBeTruthy();
      });
    }

    it("403 suspended key", async () => {
      const { record, key } = await h.keys.create("suspended");
      h.gateway.keys.remember(await h.keys.update(record.id, { status: "suspended" }));
      const c = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: key, maxRetries: 0 });
      await expect(
        c.chat.completions.create({ model: "openai/gpt-4o", messages: [{ role: "user", content: "x" }] }),
      ).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    });

    it("a mid-stream failure surfaces as an APIError from the iterator", async () => {
      const stream = await client.chat.completions.create({
        model: "openai/gpt-4o",
        messages: [{ role: "user", content: "a b c d e [[sim:cut_after=3]]" }],
        stream: true,
      });
      await expect(
        (async () => {
          for await (const _ of stream) {
            // drain
          }
        })(),
      ).rejects.toBeInstanceOf(OpenAI.APIError);
    });
  });

  it("abort cancels the upstream call", async () => {
    h.sim.reset();
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      {
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "[[sim:words=400,chunk_delay_ms=20]]" }],
        stream: true,
      },
      { signal: controller.signal },
    );
    let chunks = 0;
    // openai-node ends its iterator quietly when its own signal aborts.
    for await (const _ of stream) {
      chunks++;
      controller.abort();
    }
    expect(chunks).toBe(1);
    const seen = await h.sim.waitFor((r) => r.aborted, 2_000);
    expect(seen.aborted).toBe(true);
  });
});
