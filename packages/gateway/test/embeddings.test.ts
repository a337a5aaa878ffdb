/** `POST /v1/embeddings` through the gateway with the official `openai` client, to OpenAI and Gemini simulators. */
import { embedTextForTests } from "@meshapi/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usageByModel } from "./helpers/usage-rows.js";
import { startVendorHarness, type VendorHarness } from "./providers/helpers.js";

let v: VendorHarness;
beforeAll(async () => {
  v = await startVendorHarness();
});
afterAll(() => v.close());

const clientFor = (key: string) => new OpenAI({ baseURL: `${v.h.url}/v1`, apiKey: key, maxRetries: 0 });

describe("/v1/embeddings to an OpenAI-compatible vendor", () => {
  it("passes the request through, decodes base64 in the SDK, reports usage and cost", async () => {
    const key = await v.h.newKey(`emb-${Math.random()}`);
    const res = await clientFor(key).embeddings.create({
      model: "openai/text-embedding-3-small",
      input: ["alpha", "beta"],
    });
    expect(res.model).toBe("openai/text-embedding-3-small");
    expect(res.data.map((d) => d.embedding)).toEqual([
      embedTextForTests("alpha", 1536),
      embedTextForTests("beta", 1536),
    ]);
    const usage = res.usage as typeof res.usage & { cost: number };
    expect(usage.prompt_tokens).toBeGreaterThan(0);
    // $0.02 per million input tokens.
    expect(usage.cost).toBeCloseTo((usage.prompt_tokens * 0.02) / 1e6, 12);
    const sent = await v.h.sim.waitFor((r) => r.path === "/v1/embeddings");
    expect(sent.body).toMatchObject({
      model: "text-embedding-3-small",
      input: ["alpha", "beta"],
      encoding_format: "base64",
    });
    const row = (await usageByModel(v.h, key)).get("openai/text-embedding-3-small");
    expect(row).toMatchObject({ requests: 1, promptTokens: usage.prompt_tokens, completionTokens: 0 });
    expect(row?.costUsd).toBeCloseTo(usage.cost, 12);
  });

  it("keeps dimensions and float encoding", async () => {
    const res = await v.client.embeddings.create({
      model: "openai/text-embedding-3-large",
      input: "gamma",
      dimensions: 4,
      encoding_format: "float",
    });
    expect(res.data[0]?.embedding).toEqual(embedTextForTests("gamma", 4));
  });
});

describe("/v1/embeddings to Gemini", () => {
  it("uses batchEmbedContents for several inputs and counts the tokens itself", async () => {
    v.h.sim.reset();
    const res = await v.client.embeddings.create({
      model: "google/gemini-embedding-001",
      input: ["one", "two"],
      dimensions: 8,
    });
    expect(res.data.map((d) => d.index)).toEqual([0, 1]);
    expect(res.data.map((d) => d.embedding)).toEqual([
      embedTextForTests("one", 8),
      embedTextForTests("two", 8),
    ]);
    const usage = res.usage as typeof res.usage & { estimated?: boolean; cost?: number };
    expect(usage.estimated).toBe(true);
    expect(usage.prompt_tokens).toBe(2);
    expect(usage.cost).toBeCloseTo((2 * 0.15) / 1e6, 12);
    const sent = await v.h.sim.waitFor((r) => r.path.endsWith(":batchEmbedContents"));
    expect(sent.body).toEqual({
      requests: [
        {
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "one" }] },
          outputDimensionality: 8,
        },
        {
          model: "models/gemini-embedding-001",
          content: { parts: [{ text: "two" }] },
          outputDimensionality: 8,
        },
      ],
    });
  });

  it("uses embedContent for one input", async () => {
    v.h.sim.reset();
    const res = await v.client.embeddings.create({
      model: "google/text-embedding-004",
      input: "solo",
      encoding_format: "float",
    });
    expect(res.data[0]?.embedding).toEqual(embedTextForTests("solo", 768));
    await v.h.sim.waitFor((r) => r.path.endsWith("text-embedding-004:embedContent"));
  });

  it("refuses token-id input for Gemini with 400 unsupported_feature", async () => {
    const err = await v.client.embeddings
      .create({ model: "google/gemini-embedding-001", input: [1, 2, 3] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.error).toMatchObject({ code: "unsupported_feature", param: "input" });
  });
});

describe("/v1/embeddings refusals", () => {
  it("refuses Anthropic models (no embeddings API), bad input and unknown providers with 4xx envelopes", async () => {
    const post = (body: unknown) =>
      fetch(`${v.h.url}/v1/embeddings`, {
        method: "POST",
        headers: { authorization: `Bearer ${v.h.key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const anthropic = await post({ model: "anthropic/claude-haiku-4-5", input: "x" });
    expect(anthropic.status).toBe(400);
    expect(((await anthropic.json()) as { error: { code: string } }).error.code).toBe("unsupported_feature");
    const empty = await post({ model: "openai/text-embedding-3-small", input: "" });
    expect(empty.status).toBe(422);
    const body = (await empty.json()) as { error: { code: string; details: { loc: unknown[] }[] } };
    expect(body.error.code).toBe("validation_error");
    expect(body.error.details[0]?.loc[1]).toBe("input");
    const unknown = await post({ model: "nowhere/model", input: "x" });
    expect(unknown.status).toBe(404);
    const noKey = await fetch(`${v.h.url}/v1/embeddings`, { method: "POST", body: "{}" });
    expect(noKey.status).toBe(401);
  });

  it("maps an upstream 404 to the envelope", async () => {
    const err = await v.client.embeddings
      .create({ model: "openai/unknown-embedder", input: "x" })
      .catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
  });
});
