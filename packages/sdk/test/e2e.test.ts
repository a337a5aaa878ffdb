import { isGatewayBuilt, type Stack, startStack } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionCreateParamsNonStreaming,
  type ChatCompletionTool,
  MeshAPI,
  MeshAPIApiError,
} from "../src/index.js";

/** The SDK against the real gateway (child process) in front of the provider simulator. */

const gatewayBuilt = isGatewayBuilt();
if (!gatewayBuilt) {
  console.warn(
    "SKIPPED packages/sdk end-to-end tests: packages/gateway/dist/cli/main.js is missing (run `npm run build`).",
  );
}

const model = "openai/gpt-4o-mini";
const user = (content: string) => [{ role: "user" as const, content }];
const weatherTool: ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Get current weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const timeTool: ChatCompletionTool = {
  type: "function",
  function: {
    name: "get_time",
    parameters: { type: "object", properties: { zone: { type: "string" } }, required: ["zone"] },
  },
};

async function caught(promise: Promise<unknown>): Promise<MeshAPIApiError> {
  const error = await promise.then(
    () => new Error("expected a rejection"),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MeshAPIApiError);
  return error as MeshAPIApiError;
}

async function iterationError(stream: AsyncIterable<unknown>): Promise<MeshAPIApiError> {
  return caught(
    (async () => {
      for await (const _ of stream) {
        // read on
      }
    })(),
  );
}

describe.skipIf(!gatewayBuilt)("SDK against the gateway", () => {
  let stack: Stack;
  let client: MeshAPI;

  beforeAll(async () => {
    stack = await startStack();
    client = new MeshAPI({ baseUrl: stack.gatewayUrl, token: stack.token });
  }, 60_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("lists the gateway's models", async () => {
    const models = await client.models.list();
    expect(models.object).toBe("list");
    expect(models.data.map((m) => m.id)).toContain(model);
  });

  it("returns a completion with usage and cost", async () => {
    const completion = await client.chat.completions.create({
      model,
      messages: user("What is the capital of France?"),
    });
    expect(completion.model).toBe(model);
    expect(completion.choices[0]?.message.content).toBe("The capital of France is Paris.");
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(completion.usage?.cost).toBeGreaterThan(0);
  });

  it("passes the response cache's `cache: {ttl}` through: a repeat is the same answer at cost 0", async () => {
    // The gateway stores an answer just after sending it, so the first repeat may still be live.
    const untilHit = async (ask: () => Promise<ChatCompletion>): Promise<ChatCompletion> => {
      for (let i = 0; i < 20; i++) {
        const answer = await ask();
        if (answer.usage?.cost === 0) return answer;
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      throw new Error("no cache hit in 20 tries");
    };
    const params = { model, messages: user("Cache this answer"), cache: { ttl: 60 } };
    const live = await client.chat.completions.create(params);
    expect(live.usage?.cost).toBeGreaterThan(0);
    const hit = await untilHit(() => client.chat.completions.create(params));
    expect(hit.choices[0]?.message.content).toBe(live.choices[0]?.message.content);

    const streamed = { ...params, stream: true as const };
    const replay = await untilHit(() => client.chat.completions.create(streamed).finalChatCompletion());
    expect(replay.choices[0]?.message.content).toBe(live.choices[0]?.message.content);
    expect(replay.choices[0]?.finish_reason).toBe("stop");
  });

  it("streams text whose accumulation equals the non-streamed answer, with usage and cost", async () => {
    const messages = user("Tell me about streams");
    const whole = await client.chat.completions.create({ model, messages });
    const stream = client.chat.completions.create({ model, messages, stream: true });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(3);
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(whole.choices[0]?.message.content);
    expect(final.choices[0]?.finish_reason).toBe("stop");
    expect(final.usage?.completion_tokens).toBe(whole.usage?.completion_tokens);
    expect(final.usage?.cost).toBeGreaterThan(0);
    expect(await stream.requestId).toMatch(/^req_[0-9A-Z]{26}$/);
  });

  it("accumulates usage from the include_usage chunk and from the finish chunk alike", async () => {
    const withOption = client.chat.completions.create({
      model,
      messages: user("usage please"),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of withOption) chunks.push(chunk);
    expect(chunks.at(-1)?.choices).toEqual([]);
    expect((await withOption.finalChatCompletion()).usage?.cost).toBeGreaterThan(0);

    const fireworksStyle = client.chat.completions.create({
      model,
      messages: user("usage please [[sim:usage_on_finish]]"),
      stream: true,
    });
    const final = await fireworksStyle.finalChatCompletion();
    expect(final.usage?.total_tokens).toBeGreaterThan(0);
    expect(final.choices[0]?.message.content).toBe("You said: usage please");
  });

  it("assembles streamed tool calls, including parallel ones", async () => {
    const single = await client.chat.completions
      .create({ model, messages: user("What's the weather in Paris?"), tools: [weatherTool], stream: true })
      .finalChatCompletion();
    expect(single.choices[0]?.finish_reason).toBe("tool_calls");
    expect(single.choices[0]?.message.tool_calls).toEqual([
      {
        id: expect.any(String),
        type: "function",
        function: { name: "get_weather", arguments: '{"city":"Paris"}' },
      },
    ]);

    const parallel = await client.chat.completions
      .create({
        model: "openai/gpt-4o",
        messages: user("Weather and time in Berlin? [[sim:parallel=2]]"),
        tools: [weatherTool, timeTool],
        tool_choice: "required",
        stream: true,
      })
      .finalChatCompletion();
    const calls = parallel.choices[0]?.message.tool_calls ?? [];
    expect(calls.map((c) => c.function.name)).toEqual(["get_weather", "get_time"]);
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([
      { city: "Berlin" },
      { zone: "Berlin" },
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it("continues a conversation with tool results", async () => {
    const text = await client.chat.completions
      .create({
        model,
        messages: [
          ...user("What's the weather in Paris?"),
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
          { role: "tool", tool_call_id: "call_1", content: "18°C, sunny" },
        ],
        tools: [weatherTool],
        stream: true,
      })
      .finalText();
    expect(text).toBe("Tool results: 18°C, sunny");
  });

  describe("errors", () => {
    it("unauthorized (401)", async () => {
      const bad = new MeshAPI({ baseUrl: stack.gatewayUrl, token: "rsk_01JXXXXXXXXXXXXXXXXXXXXXXXXX" });
      const error = await caught(bad.chat.completions.create({ model, messages: user("hi") }));
      expect(error).toMatchObject({ status: 401, errorCode: "unauthorized" });
      expect(error.requestId).toMatch(/^req_/);
    });

    it("model_not_found (404), also when awaiting a stream", async () => {
      const error = await caught(
        client.chat.completions.create({ model: "nope/model", messages: user("hi") }),
      );
      expect(error).toMatchObject({ status: 404, errorCode: "model_not_found", param: "model" });
      const streamed = await caught(
        Promise.resolve(
          client.chat.completions.create({ model: "nope/model", messages: user("hi"), stream: true }),
        ),
      );
      expect(streamed.errorCode).toBe("model_not_found");
    });

    it("validation_error (422) with details", async () => {
      const invalid = { model, messages: "not a list" } as unknown as ChatCompletionCreateParamsNonStreaming;
      const error = await caught(client.chat.completions.create(invalid));
      expect(error).toMatchObject({ status: 422, errorCode: "validation_error" });
      expect(error.details.length).toBeGreaterThan(0);
      expect(error.details[0]?.loc).toContain("messages");
    });

    it("an upstream 429 surfaces Retry-After and is retried after it", async () => {
      stack.simulator.reset();
      const content = "slow down [[sim:status=429,retry_after=1]]";
      // The gateway's own retries off for this request: this test is about the SDK's.
      const error = await caught(
        client.chat.completions.create(
          { model, messages: user(content) },
          { maxRetries: 1, headers: { "x-meshapi-retries": "0" } },
        ),
      );
      expect(error).toMatchObject({ status: 429, retryAfterSeconds: 1 });
      const attempts = stack.simulator.requests().filter((r) => JSON.stringify(r.body).includes("slow down"));
      expect(attempts).toHaveLength(2);
      expect((attempts[1]?.receivedAt ?? 0) - (attempts[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900);
    });

    it("an upstream 500 becomes upstream_error (502) with the provider's error", async () => {
      const error = await caught(
        client.chat.completions.create({ model, messages: user("x [[sim:status=500]]") }, { maxRetries: 0 }),
      );
      expect(error).toMatchObject({ status: 502, errorCode: "upstream_error" });
      expect(error.providerError).toBeTruthy();
    });

    it("a failure after the stream started is thrown with status 0 and the frame's code", async () => {
      const stream = client.chat.completions.create({
        model,
        messages: user("hello there [[sim:stream_error]]"),
        stream: true,
      });
      const seen: string[] = [];
      const error = await caught(
        (async () => {
          for await (const chunk of stream) seen.push(chunk.choices[0]?.delta.content ?? "");
        })(),
      );
      expect(seen.join("")).not.toBe("");
      expect(error).toMatchObject({ status: 0, errorCode: "upstream_error" });
      expect(error.requestId).toBe(await stream.requestId);
      await expect(stream.finalChatCompletion()).rejects.toBe(error);
    });

    it("an upstream connection cut mid-stream arrives as an error frame, not a silent end", async () => {
      const error = await iterationError(
        client.chat.completions.create({
          model,
          messages: user("a b c d [[sim:cut_after=2]]"),
          stream: true,
        }),
      );
      expect(error.status).toBe(0);
      expect(error.errorCode).toBe("upstream_error");
    });

    it("a slow gateway response times out with errorCode timeout", async () => {
      const error = await caught(
        client.chat.completions.create(
          { model, messages: user("late [[sim:delay_ms=3000]]") },
          { timeoutMs: 200, maxRetries: 0 },
        ),
      );
      expect(error.errorCode).toBe("timeout");
      await stack.simulator.waitFor((r) => JSON.stringify(r.body).includes("late") && r.aborted);
    });
  });

  describe("cancellation reaches the upstream provider", () => {
    it("aborting a stream mid-way", async () => {
      const controller = new AbortController();
      const stream = client.chat.completions.create(
        { model, messages: user("abort me [[sim:words=200,chunk_delay_ms=20]]"), stream: true },
        { signal: controller.signal },
      );
      let received = 0;
      const error = await caught(
        (async () => {
          for await (const _ of stream) if (++received === 3) controller.abort();
        })(),
      );
      expect(error.name).toBe("AbortError");
      const upstream = await stack.simulator.waitFor(
        (r) => JSON.stringify(r.body).includes("abort me") && r.aborted,
      );
      expect(upstream.finished).toBe(false);
    });

    it("breaking out of the loop", async () => {
      const stream = client.chat.completions.create({
        model,
        messages: user("break me [[sim:words=200,chunk_delay_ms=20]]"),
        stream: true,
      });
      for await (const _ of stream) break;
      await stack.simulator.waitFor((r) => JSON.stringify(r.body).includes("break me") && r.aborted);
    });

    it("aborting a non-streaming call", async () => {
      const controller = new AbortController();
      const promise = client.chat.completions.create(
        { model, messages: user("hang on [[sim:hang]]") },
        { signal: controller.signal },
      );
      await stack.simulator.waitFor((r) => JSON.stringify(r.body).includes("hang on"));
      controller.abort();
      expect((await caught(promise)).name).toBe("AbortError");
      await stack.simulator.waitFor((r) => JSON.stringify(r.body).includes("hang on") && r.aborted);
    });
  });
});
