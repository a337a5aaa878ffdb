/** The Gemini simulator driven by the official `@google/genai` SDK: every response must parse. */
import { ApiError, type Content, FunctionCallingConfigMode, GoogleGenAI, Type } from "@google/genai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Simulator } from "../src/index.js";
import { postRaw, withSimulator } from "./helpers.js";

const MODEL = "gemini-2.5-flash";
let sim: Simulator;
let ai: GoogleGenAI;

beforeAll(async () => {
  sim = await withSimulator();
  ai = new GoogleGenAI({ apiKey: "gemini-test-key", httpOptions: { baseUrl: sim.url } });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const WEATHER = {
  name: "get_weather",
  description: "Weather for a city",
  parameters: {
    type: Type.OBJECT,
    properties: { city: { type: Type.STRING }, days: { type: Type.INTEGER } },
    required: ["city", "days"],
  },
};
const TIME = {
  name: "get_time",
  parameters: { type: Type.OBJECT, properties: { zone: { type: Type.STRING } }, required: ["zone"] },
};

async function rejection(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe("generateContent", () => {
  it("answers with candidates, finishReason, usageMetadata, responseId and modelVersion", async () => {
    const res = await ai.models.generateContent({
      model: MODEL,
      contents: "What is the capital of France?",
      config: { systemInstruction: "Be brief." },
    });
    expect(res.text).toBe("The capital of France is Paris.");
    expect(res.candidates?.[0]).toMatchObject({ finishReason: "STOP", index: 0, content: { role: "model" } });
    // 9 + 30 characters → 10 prompt tokens; 6 words.
    expect(res.usageMetadata).toMatchObject({
      promptTokenCount: 10,
      candidatesTokenCount: 6,
      totalTokenCount: 16,
    });
    expect(res.responseId).toEqual(expect.any(String));
    expect(res.modelVersion).toBe(MODEL);
    const rec = sim.requests()[0];
    expect(rec?.path).toBe(`/v1beta/models/${MODEL}:generateContent`);
    expect(rec?.headers["x-goog-api-key"]).toBe("gemini-test-key");
  });

  it("truncates at maxOutputTokens with MAX_TOKENS", async () => {
    const res = await ai.models.generateContent({
      model: MODEL,
      contents: "one two three",
      config: { maxOutputTokens: 3 },
    });
    expect(res.text).toBe("You said: one");
    expect(res.candidates?.[0]?.finishReason).toBe("MAX_TOKENS");
  });

  it("returns function calls with args objects and finishReason STOP", async () => {
    const res = await ai.models.generateContent({
      model: MODEL,
      contents: "Weather in Madrid?",
      config: { tools: [{ functionDeclarations: [WEATHER, TIME] }] },
    });
    expect(res.functionCalls).toEqual([{ name: "get_weather", args: { city: "Madrid", days: 1 } }]);
    expect(res.candidates?.[0]?.finishReason).toBe("STOP");
  });

  it("honours toolConfig ANY + allowedFunctionNames, NONE, and parallel=N", async () => {
    const forced = await ai.models.generateContent({
      model: MODEL,
      contents: "Time in Tokyo",
      config: {
        tools: [{ functionDeclarations: [WEATHER, TIME] }],
        toolConfig: {
          functionCallingConfig: { mode: FunctionCallingConfigMode.ANY, allowedFunctionNames: ["get_time"] },
        },
      },
    });
    expect(forced.functionCalls).toEqual([{ name: "get_time", args: { zone: "Tokyo" } }]);
    const none = await ai.models.generateContent({
      model: MODEL,
      contents: "Weather?",
      config: {
        tools: [{ functionDeclarations: [WEATHER] }],
        toolConfig: { functionCallingConfig: { mode: FunctionCallingConfigMode.NONE } },
      },
    });
    expect(none.text).toBe("You said: Weather?");
    const parallel = await ai.models.generateContent({
      model: MODEL,
      contents: "[[sim:parallel=2]] Paris",
      config: { tools: [{ functionDeclarations: [WEATHER, TIME] }] },
    });
    expect(parallel.functionCalls?.map((c) => c.name)).toEqual(["get_weather", "get_time"]);
  });

  it("summarises function responses", async () => {
    const contents: Content[] = [
      { role: "user", parts: [{ text: "Weather and time in Paris" }] },
      {
        role: "model",
        parts: [
          { functionCall: { name: "get_weather", args: { city: "Paris" } } },
          { functionCall: { name: "get_time", args: { zone: "Paris" } } },
        ],
      },
      {
        role: "user",
        parts: [
          { functionResponse: { name: "get_weather", response: { output: "18C" } } },
          { functionResponse: { name: "get_time", response: { output: { hour: 12 } } } },
        ],
      },
    ];
    const res = await ai.models.generateContent({
      model: MODEL,
      contents,
      config: { tools: [{ functionDeclarations: [WEATHER, TIME] }] },
    });
    expect(res.text).toBe('Tool results: 18C; {"hour":12}');
  });
});

describe("generateContentStream", () => {
  it("streams word deltas with running usage and a final STOP chunk", async () => {
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: "What is the capital of France?",
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.text ?? "").join("")).toBe("The capital of France is Paris.");
    expect(chunks).toHaveLength(7);
    expect(chunks.at(-1)?.candidates?.[0]?.finishReason).toBe("STOP");
    expect(chunks.map((c) => c.usageMetadata?.candidatesTokenCount)).toEqual([1, 2, 3, 4, 5, 6, 6]);
    expect(new Set(chunks.map((c) => c.responseId)).size).toBe(1);
    expect(sim.requests()[0]?.url).toBe(`/v1beta/models/${MODEL}:streamGenerateContent?alt=sse`);
  });

  it("streams whole function calls", async () => {
    const stream = await ai.models.generateContentStream({
      model: MODEL,
      contents: "Weather in Oslo",
      config: { tools: [{ functionDeclarations: [WEATHER] }] },
    });
    const calls = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toEqual([{ name: "get_weather", args: { city: "Oslo", days: 1 } }]);
  });

  it("stream_error raises the in-band error; malformed_after throws; cut_after fails", async () => {
    const drain = async (text: string) => {
      const stream = await ai.models.generateContentStream({ model: MODEL, contents: text });
      for await (const _ of stream) {
        // consume
      }
    };
    const streamError = await rejection(drain("[[sim:stream_error]] a b c"));
    expect(streamError.status).toBe(503);
    await expect(drain("[[sim:malformed_after=1]] a b c")).rejects.toThrow();
    await expect(drain("[[sim:cut_after=2]] a b c")).rejects.toThrow();
  });

  it("no_usage omits usageMetadata", async () => {
    const res = await ai.models.generateContent({ model: MODEL, contents: "[[sim:no_usage]] hi" });
    expect(res.usageMetadata).toBeUndefined();
    expect(res.text).toBe("You said: hi");
  });

  it("without alt=sse streams one JSON array", async () => {
    const res = await postRaw(
      `${sim.url}/v1beta/models/${MODEL}:streamGenerateContent?key=k`,
      JSON.stringify({ contents: [{ role: "user", parts: [{ text: "a b" }] }] }),
    );
    expect(res.status).toBe(200);
    const chunks = res.json as { candidates: { content: { parts: { text: string }[] } }[] }[];
    expect(chunks.map((c) => c.candidates[0]?.content.parts[0]?.text).join("")).toBe("You said: a b");
  });
});

describe("Gemini 3 thought signatures", () => {
  const G3 = "gemini-3-pro-preview";
  const tools = [{ functionDeclarations: [WEATHER, TIME] }];

  it("signs only the first function call part", async () => {
    const res = await ai.models.generateContent({
      model: G3,
      contents: "[[sim:parallel=2]] Paris",
      config: { tools },
    });
    const parts = res.candidates?.[0]?.content?.parts ?? [];
    expect(parts).toHaveLength(2);
    expect(parts[0]?.thoughtSignature).toEqual(expect.any(String));
    expect(parts[1]?.thoughtSignature).toBeUndefined();
  });

  it("rejects a replayed function call without its signature, accepts it with one or the skip value", async () => {
    const first = await ai.models.generateContent({
      model: G3,
      contents: "Weather in Paris",
      config: { tools },
    });
    const modelTurn = first.candidates?.[0]?.content as Content;
    const answer: Content = {
      role: "user",
      parts: [{ functionResponse: { name: "get_weather", response: { output: "18C" } } }],
    };
    const question: Content = { role: "user", parts: [{ text: "Weather in Paris" }] };
    const replay = (turn: Content) =>
      ai.models.generateContent({ model: G3, contents: [question, turn, answer], config: { tools } });

    const ok = await replay(modelTurn);
    expect(ok.text).toBe("Tool results: 18C");
    const stripped: Content = {
      role: "model",
      parts: (modelTurn.parts ?? []).map(({ thoughtSignature: _, ...p }) => p),
    };
    const error = await rejection(replay(stripped));
    expect(error.status).toBe(400);
    expect(error.message).toContain("thought_signature");
    const skipped: Content = {
      role: "model",
      parts: (stripped.parts ?? []).map((p) => ({
        ...p,
        thoughtSignature: "skip_thought_signature_validator",
      })),
    };
    expect((await replay(skipped)).text).toBe("Tool results: 18C");
    // Older models do not check signatures.
    const old = await ai.models.generateContent({
      model: MODEL,
      contents: [question, stripped, answer],
      config: { tools },
    });
    expect(old.text).toBe("Tool results: 18C");
  });
});

describe("errors", () => {
  const cases: [number, string][] = [
    [400, "INVALID_ARGUMENT"],
    [403, "PERMISSION_DENIED"],
    [429, "RESOURCE_EXHAUSTED"],
    [500, "INTERNAL"],
    [503, "UNAVAILABLE"],
  ];
  it.each(cases)("status=%i → ApiError with Google status %s", async (status, name) => {
    const error = await rejection(
      ai.models.generateContent({ model: MODEL, contents: `[[sim:status=${status}]]` }),
    );
    expect(error.status).toBe(status);
    expect(JSON.parse(error.message)).toMatchObject({ error: { code: status, status: name } });
  });

  it("adds Retry-After and RetryInfo with retry_after", async () => {
    const res = await postRaw(
      `${sim.url}/v1beta/models/${MODEL}:generateContent`,
      JSON.stringify({ contents: [{ parts: [{ text: "[[sim:retry_after=4]]" }] }] }),
      { "x-goog-api-key": "k" },
    );
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("4");
    expect(res.json).toMatchObject({
      error: { status: "RESOURCE_EXHAUSTED", details: [{ retryDelay: "4s" }] },
    });
  });

  it("answers an unknown model with 404 NOT_FOUND", async () => {
    const error = await rejection(ai.models.generateContent({ model: "gemini-unknown", contents: "hi" }));
    expect(error.status).toBe(404);
  });

  it("takes the key from ?key= too; missing → 403, wrong → 400 API_KEY_INVALID", async () => {
    const strict = await withSimulator({ apiKey: { gemini: "right" } });
    try {
      const body = JSON.stringify({ contents: [{ parts: [{ text: "hi" }] }] });
      const url = `${strict.url}/v1beta/models/${MODEL}:generateContent`;
      expect((await postRaw(`${url}?key=right`, body)).status).toBe(200);
      expect((await postRaw(url, body)).status).toBe(403);
      const wrong = await postRaw(url, body, { "x-goog-api-key": "wrong" });
      expect(wrong.status).toBe(400);
      expect(wrong.json).toMatchObject({
        error: { status: "INVALID_ARGUMENT", details: [{ reason: "API_KEY_INVALID" }] },
      });
    } finally {
      await strict.close();
    }
  });
});
