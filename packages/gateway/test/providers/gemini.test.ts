/** What the Gemini API receives for OpenAI requests sent through the gateway. */
import type OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  apiError,
  PNG_BASE64,
  startImageServer,
  startVendorHarness,
  timeTool,
  VENDOR_KEYS,
  type VendorHarness,
  weatherTool,
} from "./helpers.js";

type Part = Record<string, unknown>;
type Body = Record<string, unknown> & { contents: { role: string; parts: Part[] }[] };
type Params = Omit<OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming, "model"> & {
  model?: string;
};

let v: VendorHarness;
beforeAll(async () => {
  v = await startVendorHarness();
});
afterAll(() => v.close());
beforeEach(() => v.h.sim.reset());

async function upstreamOf(params: Params, harness: VendorHarness = v) {
  const completion = await harness.client.chat.completions.create({
    model: "google/gemini-2.5-flash",
    ...params,
  });
  const request = await harness.h.sim.waitFor((r) => r.path.startsWith("/v1beta/models/"));
  return { completion, body: request.body as Body, request };
}

describe("Gemini request translation", () => {
  it("calls generateContent with x-goog-api-key, streamGenerateContent?alt=sse for streams", async () => {
    const { request } = await upstreamOf({ messages: [{ role: "user", content: "hi" }] });
    expect(request.url).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
    expect(request.headers["x-goog-api-key"]).toBe(VENDOR_KEYS.gemini);
    v.h.sim.reset();
    const stream = await v.client.chat.completions.create({
      model: "google/gemini-2.5-flash",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
    });
    for await (const _ of stream) {
      // drain
    }
    expect(v.h.sim.requests()[0]?.url).toBe("/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  });

  it("puts system text in systemInstruction, merges turns, maps generationConfig", async () => {
    const { body } = await upstreamOf({
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: "Hello" },
        {
          role: "user",
          content: [
            { type: "text", text: "  " },
            { type: "text", text: "there" },
          ],
        },
        { role: "assistant", content: "Hi!" },
        { role: "developer", content: "Use French." },
        { role: "user", content: "Bye" },
      ],
      max_completion_tokens: 99,
      temperature: 1.5,
      top_p: 0.9,
      stop: ["END", "STOP"],
      seed: 3,
      presence_penalty: 0.5,
    });
    expect(body.systemInstruction).toEqual({ parts: [{ text: "You are terse." }, { text: "Use French." }] });
    expect(body.contents).toEqual([
      { role: "user", parts: [{ text: "Hello" }, { text: "there" }] },
      { role: "model", parts: [{ text: "Hi!" }] },
      { role: "user", parts: [{ text: "Bye" }] },
    ]);
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 99,
      temperature: 1.5,
      topP: 0.9,
      stopSequences: ["END", "STOP"],
      seed: 3,
      presencePenalty: 0.5,
    });
  });

  it("sanitises tool schemas and maps a named tool_choice", async () => {
    const { body } = await upstreamOf({
      messages: [{ role: "user", content: "Weather in Paris?" }],
      tools: [
        weatherTool,
        timeTool,
        { type: "function", function: { name: "ping", parameters: { type: "object", properties: {} } } },
      ],
      tool_choice: { type: "function", function: { name: "get_weather" } },
    });
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "get_weather",
            description: "Current weather for a city",
            parameters: {
              type: "OBJECT",
              properties: {
                city: { type: "STRING", description: "City name" },
                unit: { type: "STRING", nullable: true, enum: ["C", "F"], format: "enum" },
              },
              required: ["city"],
            },
          },
          {
            name: "get_time",
            parameters: { type: "OBJECT", properties: { zone: { type: "STRING" } }, required: ["zone"] },
          },
          { name: "ping" },
        ],
      },
    ]);
    expect(body.toolConfig).toEqual({
      functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] },
    });
  });

  it("sends tool results as functionResponse parts named after their call", async () => {
    const { body, completion } = await upstreamOf({
      messages: [
        { role: "user", content: "Weather and time in Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_a",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"Paris"}' },
            },
            { id: "call_b", type: "function", function: { name: "get_time", arguments: "" } },
          ],
        },
        { role: "tool", tool_call_id: "call_a", content: "18C" },
        { role: "tool", tool_call_id: "call_b", content: "14:05" },
      ],
      tools: [weatherTool, timeTool],
    });
    expect(body.contents[1]).toEqual({
      role: "model",
      parts: [
        { functionCall: { name: "get_weather", args: { city: "Paris" } } },
        { functionCall: { name: "get_time", args: {} } },
      ],
    });
    expect(body.contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { name: "get_weather", response: { output: "18C" } } },
        { functionResponse: { name: "get_time", response: { output: "14:05" } } },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe("Tool results: 18C; 14:05");
  });

  it("a tool message whose call is not in the conversation is a 422", async () => {
    const err = await apiError(
      v.client.chat.completions.create({
        model: "google/gemini-2.5-flash",
        messages: [
          { role: "user", content: "hi" },
          { role: "tool", tool_call_id: "call_zzz", content: "18C" },
        ],
      }),
    );
    expect(err.status).toBe(422);
    expect(err.error).toMatchObject({ code: "validation_error", param: "messages.1.tool_call_id" });
  });

  it("maps JSON mode and json_schema to responseMimeType / responseSchema", async () => {
    const { body } = await upstreamOf({
      messages: [{ role: "user", content: "JSON please" }],
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "answer",
          schema: {
            type: "object",
            properties: { answer: { type: "string" }, score: { type: "integer", minimum: 0 } },
            required: ["answer"],
            additionalProperties: false,
          },
        },
      },
    });
    expect(body.generationConfig).toEqual({
      responseMimeType: "application/json",
      responseSchema: {
        type: "OBJECT",
        properties: { answer: { type: "STRING" }, score: { type: "INTEGER", minimum: 0 } },
        required: ["answer"],
      },
    });
    v.h.sim.reset();
    const plain = await upstreamOf({
      messages: [{ role: "user", content: "JSON please" }],
      response_format: { type: "json_object" },
    });
    expect(plain.body.generationConfig).toEqual({ responseMimeType: "application/json" });
  });

  it("sends image data URLs inline", async () => {
    const { body } = await upstreamOf({
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
          ],
        },
      ],
    });
    expect(body.contents[0]?.parts).toEqual([
      { text: "What is this?" },
      { inlineData: { mimeType: "image/png", data: PNG_BASE64 } },
    ]);
  });

  it("refuses to download image URLs on the gateway's own network by default", async () => {
    const images = await startImageServer();
    try {
      const err = await apiError(
        v.client.chat.completions.create({
          model: "google/gemini-2.5-flash",
          messages: [
            { role: "user", content: [{ type: "image_url", image_url: { url: `${images.url}/cat.png` } }] },
          ],
        }),
      );
      expect(err.status).toBe(422);
      expect(err.message).toContain("non-public address");
      expect(images.hits()).toBe(0);
    } finally {
      await images.close();
    }
  });
});

describe("Gemini image URLs with MESHAPI_REMOTE_IMAGES=any", () => {
  let open: VendorHarness;
  let images: Awaited<ReturnType<typeof startImageServer>>;
  beforeAll(async () => {
    open = await startVendorHarness({ MESHAPI_REMOTE_IMAGES: "any" });
    images = await startImageServer();
  });
  afterAll(async () => {
    await open.close();
    await images.close();
  });

  it("downloads http(s) images (following a redirect) and sends them inline", async () => {
    const { body } = await upstreamOf(
      {
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: `${images.url}/moved` } }] },
        ],
      },
      open,
    );
    expect(body.contents[0]?.parts).toEqual([{ inlineData: { mimeType: "image/png", data: PNG_BASE64 } }]);
  });

  it("refuses a URL that is not an image", async () => {
    const err = await apiError(
      open.client.chat.completions.create({
        model: "google/gemini-2.5-flash",
        messages: [
          { role: "user", content: [{ type: "image_url", image_url: { url: `${images.url}/page.txt` } }] },
        ],
      }),
    );
    expect(err.status).toBe(422);
    expect(err.error).toMatchObject({ param: "messages.0.content.0.image_url.url" });
  });
});

describe("Gemini 3 thought signatures", () => {
  const model = "google/gemini-3-pro-preview";

  it("survive a tool loop through the OpenAI tool-call id, streaming and not", async () => {
    for (const stream of [false, true]) {
      v.h.sim.reset();
      const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [
        { role: "user", content: "Weather and time in Paris? [[sim:parallel=2]]" },
      ];
      const first = stream
        ? await v.client.chat.completions
            .stream({ model, messages, tools: [weatherTool, timeTool] })
            .finalChatCompletion()
        : await v.client.chat.completions.create({ model, messages, tools: [weatherTool, timeTool] });
      const assistant = first.choices[0]?.message as OpenAI.Chat.Completions.ChatCompletionMessage;
      const calls = assistant.tool_calls ?? [];
      expect(calls).toHaveLength(2);
      messages.push({ role: "assistant", content: null, tool_calls: calls });
      for (const call of calls) messages.push({ role: "tool", tool_call_id: call.id, content: "ok" });
      v.h.sim.reset();
      const second = await v.client.chat.completions.create({
        model,
        messages,
        tools: [weatherTool, timeTool],
      });
      // The simulator, like the API, refuses a replayed Gemini 3 call without its signature.
      expect(second.choices[0]?.message.content).toBe("Tool results: ok; ok");
      const body = v.h.sim.requests()[0]?.body as Body;
      const [signed, unsigned] = body.contents[1]?.parts ?? [];
      expect(typeof signed?.thoughtSignature).toBe("string");
      expect(signed?.thoughtSignature).not.toBe("skip_thought_signature_validator");
      expect(unsigned?.thoughtSignature).toBeUndefined();
    }
  });

  it("fall back to the documented skip value for calls that never came from Gemini", async () => {
    const { body, completion } = await upstreamOf({
      model,
      messages: [
        { role: "user", content: "Weather in Paris?" },
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
        { role: "tool", tool_call_id: "call_1", content: "18C" },
      ],
      tools: [weatherTool],
    });
    expect(body.contents[1]?.parts[0]?.thoughtSignature).toBe("skip_thought_signature_validator");
    expect(completion.choices[0]?.message.content).toBe("Tool results: 18C");
  });
});
