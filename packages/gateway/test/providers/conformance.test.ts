/**
 * The same OpenAI conversation through the gateway to Anthropic and to Gemini, with the official
 * `openai` client: what a client gets must not depend on the vendor behind the model name.
 */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startVendorHarness, timeTool, type VendorHarness, weatherTool } from "./helpers.js";

interface Vendor {
  name: string;
  model: string;
  /** USD per million tokens, as in the built-in catalog. */
  price: { input: number; output: number };
  /** Matches the simulator path of this vendor's calls. */
  path: RegExp;
}

const VENDORS: Vendor[] = [
  {
    name: "anthropic",
    model: "anthropic/claude-sonnet-4-5",
    price: { input: 3, output: 15 },
    path: /^\/v1\/messages$/,
  },
  {
    name: "google",
    model: "google/gemini-2.5-flash",
    price: { input: 0.3, output: 2.5 },
    path: /^\/v1beta\/models\//,
  },
];

let v: VendorHarness;
beforeAll(async () => {
  v = await startVendorHarness();
});
afterAll(() => v.close());
beforeEach(() => v.h.sim.reset());

const user = (content: string): OpenAI.Chat.Completions.ChatCompletionMessageParam => ({
  role: "user",
  content,
});

describe.each(VENDORS)("$name through the official openai client", (vendor) => {
  const expectedCost = (usage: OpenAI.CompletionUsage) =>
    (usage.prompt_tokens * vendor.price.input + usage.completion_tokens * vendor.price.output) / 1e6;

  it("answers text with the requested model name, usage and cost", async () => {
    const completion = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("What is the capital of France?")],
    });
    const choice = completion.choices[0];
    expect(choice?.message.content).toBe("The capital of France is Paris.");
    expect(choice?.message.role).toBe("assistant");
    expect(choice?.finish_reason).toBe("stop");
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe(vendor.model);
    const usage = completion.usage as OpenAI.CompletionUsage & { cost?: number };
    expect(usage.completion_tokens).toBe(6);
    expect(usage.total_tokens).toBe(usage.prompt_tokens + usage.completion_tokens);
    expect(usage.cost).toBeCloseTo(expectedCost(usage), 9);
    const upstream = v.h.sim.requests().filter((r) => vendor.path.test(r.path));
    expect(upstream).toHaveLength(1);
  });

  it("reports finish_reason length when max_tokens cuts the answer", async () => {
    const completion = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("[[sim:words=10]]")],
      max_tokens: 3,
    });
    expect(completion.choices[0]?.message.content).toBe("w1 w2 w3");
    expect(completion.choices[0]?.finish_reason).toBe("length");
  });

  it("streams text deltas, then usage with cost on the finish chunk", async () => {
    const stream = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("Write a haiku about TypeScript.")],
      stream: true,
    });
    let text = "";
    const finishes: (string | null)[] = [];
    let usage: (OpenAI.CompletionUsage & { cost?: number }) | undefined;
    for await (const chunk of stream) {
      expect(chunk.model).toBe(vendor.model);
      expect(chunk.object).toBe("chat.completion.chunk");
      text += chunk.choices[0]?.delta.content ?? "";
      finishes.push(chunk.choices[0]?.finish_reason ?? null);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("You said: Write a haiku about TypeScript.");
    expect(finishes.filter((f) => f !== null)).toEqual(["stop"]);
    expect(finishes[finishes.length - 1]).toBe("stop");
    expect(usage?.completion_tokens).toBe(7);
    expect(usage?.cost).toBeCloseTo(expectedCost(usage as OpenAI.CompletionUsage), 9);
  });

  it("streams usage on a final choices: [] chunk with include_usage", async () => {
    const stream = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("What is the capital of France?")],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks[chunks.length - 1];
    expect(last?.choices).toEqual([]);
    expect(last?.usage?.completion_tokens).toBe(6);
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
  });

  it("calls a tool: content null, arguments as a JSON string, finish_reason tool_calls", async () => {
    const completion = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("What's the weather in Paris?")],
      tools: [weatherTool, timeTool],
    });
    const message = completion.choices[0]?.message;
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message?.content).toBeNull();
    expect(message?.tool_calls).toHaveLength(1);
    const call = message?.tool_calls?.[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.type).toBe("function");
    expect(call.id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Paris" });
  });

  it("honours a named tool_choice", async () => {
    const completion = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("Time in Tokyo?")],
      tools: [weatherTool, timeTool],
      tool_choice: { type: "function", function: { name: "get_time" } },
    });
    const call = completion.choices[0]?.message
      .tool_calls?.[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(call.function.name).toBe("get_time");
    expect(JSON.parse(call.function.arguments)).toEqual({ zone: "Tokyo" });
  });

  it("tool_choice none answers with text", async () => {
    const completion = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("What's the weather in Paris?")],
      tools: [weatherTool],
      tool_choice: "none",
    });
    expect(completion.choices[0]?.message.content).toBe("You said: What's the weather in Paris?");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
  });

  it("parallel tool calls, non-streaming", async () => {
    const completion = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("Weather and time in Paris? [[sim:parallel=2]]")],
      tools: [weatherTool, timeTool],
    });
    const calls = (completion.choices[0]?.message.tool_calls ??
      []) as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall[];
    expect(calls.map((c) => c.function.name)).toEqual(["get_weather", "get_time"]);
    expect(calls.map((c) => JSON.parse(c.function.arguments))).toEqual([
      { city: "Paris" },
      { zone: "Paris" },
    ]);
    expect(new Set(calls.map((c) => c.id)).size).toBe(2);
  });

  it("parallel tool calls, streaming: indexes count tool calls and arguments reassemble", async () => {
    const stream = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [user("Weather and time in Paris? [[sim:parallel=2]]")],
      tools: [weatherTool, timeTool],
      stream: true,
    });
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    let finish: string | null = null;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { args: "" };
        if (delta.id) call.id = delta.id;
        if (delta.function?.name) call.name = delta.function.name;
        call.args += delta.function?.arguments ?? "";
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect([...calls.keys()]).toEqual([0, 1]);
    expect(calls.get(0)?.name).toBe("get_weather");
    expect(JSON.parse(calls.get(0)?.args ?? "")).toEqual({ city: "Paris" });
    expect(calls.get(1)?.name).toBe("get_time");
    expect(JSON.parse(calls.get(1)?.args ?? "")).toEqual({ zone: "Paris" });
    expect(finish).toBe("tool_calls");
  });

  it("runs a multi-turn tool loop, replaying the assistant message as the client got it", async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
      { role: "system", content: "You are a weather bot." },
      user("Weather and time in Paris? [[sim:parallel=2]]"),
    ];
    const first = await v.client.chat.completions.create({
      model: vendor.model,
      messages,
      tools: [weatherTool, timeTool],
    });
    const assistant = first.choices[0]?.message as OpenAI.Chat.Completions.ChatCompletionMessage;
    messages.push({ role: "assistant", content: assistant.content, tool_calls: assistant.tool_calls ?? [] });
    const results = ["18C and sunny", "14:05"];
    (assistant.tool_calls ?? []).forEach((call, i) => {
      messages.push({ role: "tool", tool_call_id: call.id, content: results[i] as string });
    });
    const second = await v.client.chat.completions.create({
      model: vendor.model,
      messages,
      tools: [weatherTool, timeTool],
    });
    expect(second.choices[0]?.message.content).toBe("Tool results: 18C and sunny; 14:05");
    expect(second.choices[0]?.finish_reason).toBe("stop");

    // And the loop goes on in a stream, with the answer and a new question appended.
    messages.push(
      { role: "assistant", content: second.choices[0]?.message.content ?? "" },
      user("Thanks! And in Rome?"),
    );
    const runner = v.client.chat.completions.stream({ model: vendor.model, messages, tools: [weatherTool] });
    const final = await runner.finalChatCompletion();
    const call = final.choices[0]?.message
      .tool_calls?.[0] as OpenAI.Chat.Completions.ChatCompletionMessageFunctionToolCall;
    expect(JSON.parse(call.function.arguments)).toEqual({ city: "Rome" });
  });

  it("accepts image data URLs next to text", async () => {
    const completion = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "Describe this image" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe("You said: Describe this image");
  });

  it("refuses a content part the vendor cannot take with a 422 naming the part", async () => {
    const err = await v.client.chat.completions
      .create({
        model: vendor.model,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "Summarise" },
              { type: "file", file: { file_id: "file-abc123" } },
            ],
          },
        ],
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(OpenAI.UnprocessableEntityError);
    const body = (err as InstanceType<typeof OpenAI.APIError>).error as { code: string; details: unknown[] };
    expect(body.code).toBe("validation_error");
    expect(body.details).toEqual([
      {
        type: "unsupported_content",
        loc: ["body", "messages", 0, "content", 1, "file"],
        msg: expect.stringContaining("file_data"),
      },
    ]);
    expect(v.h.sim.requests()).toHaveLength(0);
  });
});

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
