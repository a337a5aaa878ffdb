/** The embeddings endpoints driven by the official SDKs: `openai` for OpenAI, `@google/genai` for Gemini. */
import { ApiError, GoogleGenAI } from "@google/genai";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { embedText } from "../src/embeddings/vectors.js";
import type { Simulator } from "../src/index.js";
import { openaiClient, postRaw, withSimulator } from "./helpers.js";

let sim: Simulator;
let openai: OpenAI;
let ai: GoogleGenAI;

beforeAll(async () => {
  sim = await withSimulator();
  openai = openaiClient(sim);
  ai = new GoogleGenAI({ apiKey: "gemini-test-key", httpOptions: { baseUrl: sim.url } });
});
afterAll(() => sim.close());

describe("OpenAI /v1/embeddings", () => {
  it("embeds a batch in order, decoded by the SDK from its default base64", async () => {
    const res = await openai.embeddings.create({ model: "text-embedding-3-small", input: ["alpha", "beta"] });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data[0]?.embedding).toHaveLength(1536);
    expect(res.data[0]?.embedding).toEqual(embedText("alpha", 1536));
    expect(res.data[1]?.embedding).toEqual(embedText("beta", 1536));
    expect(res.usage.prompt_tokens).toBeGreaterThan(0);
    expect(res.usage.total_tokens).toBe(res.usage.prompt_tokens);
  });

  it("honours dimensions and float encoding", async () => {
    const res = await openai.embeddings.create({
      model: "text-embedding-3-large",
      input: "gamma",
      dimensions: 8,
      encoding_format: "float",
    });
    expect(res.data[0]?.embedding).toEqual(embedText("gamma", 8));
  });

  it("refuses an empty input and a bad dimensions value with OpenAI's 400", async () => {
    const empty = await openai.embeddings
      .create({ model: "text-embedding-3-small", input: "" })
      .catch((e) => e);
    expect(empty).toBeInstanceOf(OpenAI.BadRequestError);
    expect(empty.param).toBe("input");
    const raw = await postRaw(
      `${sim.openaiBaseUrl}/embeddings`,
      JSON.stringify({ model: "text-embedding-ada-002", input: "x", dimensions: 4 }),
      { authorization: "Bearer sk-test" },
    );
    expect(raw.status).toBe(400);
  });
});

describe("Gemini embedContent / batchEmbedContents", () => {
  it("embeds through @google/genai with outputDimensionality", async () => {
    const res = await ai.models.embedContent({
      model: "gemini-embedding-001",
      contents: ["one", "two"],
      config: { outputDimensionality: 16 },
    });
    expect(res.embeddings?.map((e) => e.values)).toEqual([embedText("one", 16), embedText("two", 16)]);
  });

  it("answers embedContent with a single embedding", async () => {
    const raw = await postRaw(
      `${sim.url}/v1beta/models/text-embedding-004:embedContent`,
      JSON.stringify({ content: { parts: [{ text: "solo" }] } }),
      { "x-goog-api-key": "k" },
    );
    expect(raw.status).toBe(200);
    expect(raw.json).toEqual({ embedding: { values: embedText("solo", 768) } });
  });

  it("refuses a batch whose request names another model, and an unknown model", async () => {
    const raw = await postRaw(
      `${sim.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`,
      JSON.stringify({ requests: [{ model: "models/other", content: { parts: [{ text: "x" }] } }] }),
      { "x-goog-api-key": "k" },
    );
    expect(raw.status).toBe(400);
    const err = await ai.models.embedContent({ model: "unknown-embedder", contents: "x" }).catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
  });
});
