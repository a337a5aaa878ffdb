/**
 * Routing on the routes beyond chat completions: /v1/embeddings, /v1/messages and /v1/responses use the
 * same deployments, retries and per-key model access as /v1/chat/completions.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../helpers/harness.js";

let h: Harness;
let east: Simulator;
let west: Simulator;
let dir: string;

beforeAll(async () => {
  east = await startSimulator();
  west = await startSimulator();
  dir = mkdtempSync(join(tmpdir(), "meshapi-routing-routes-"));
  const pair = (model: string, eastUrl: string, westUrl: string) => [
    { id: `${model}:east`, model, baseUrl: eastUrl },
    { id: `${model}:west`, model, baseUrl: westUrl },
  ];
  const config = {
    routing: {
      retries: { max: 1, baseDelayMs: 5, maxDelayMs: 10 },
      models: {
        "mesh/embed": {
          deployments: pair("openai/text-embedding-3-small", east.openaiBaseUrl, west.openaiBaseUrl),
        },
        "mesh/claude": { deployments: pair("anthropic/claude-haiku-4-5", east.url, west.url) },
        "mesh/gpt": { deployments: pair("openai/gpt-4o-mini", east.openaiBaseUrl, west.openaiBaseUrl) },
      },
    },
  };
  writeFileSync(join(dir, "config.json"), JSON.stringify(config));
  h = await startHarness({
    sim: west,
    configPath: join(dir, "config.json"),
    env: { ANTHROPIC_API_KEY: "sim-anthropic-key", ANTHROPIC_BASE_URL: west.url },
  });
});
afterAll(async () => {
  await h?.close();
  await east?.close();
  await west?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  east.setFaults("status=503");
  east.reset();
  west.reset();
});

const withHeaders = () => ({ fetch: recordingFetch });
let lastHeaders: Headers | undefined;
const recordingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  lastHeaders = res.headers;
  return res;
};

describe("routing beyond chat completions", () => {
  it("/v1/embeddings fails over from a failing deployment to the other", async () => {
    const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0, ...withHeaders() });
    const res = await client.embeddings.create({ model: "mesh/embed", input: "hello" });
    expect(res.model).toBe("mesh/embed");
    expect(lastHeaders?.get("x-meshapi-deployment")).toBe("openai/text-embedding-3-small:west");
    expect(lastHeaders?.get("x-meshapi-attempts")).toBe("2");
    expect(east.requests().filter((r) => r.path === "/v1/embeddings")).toHaveLength(1);
  });

  it("/v1/messages passes through to the Anthropic deployments, failing over, streaming too", async () => {
    const client = new Anthropic({ baseURL: h.url, apiKey: h.key, maxRetries: 0, fetch: recordingFetch });
    const message = await client.messages.create({
      model: "mesh/claude",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    expect(message.content[0]).toMatchObject({ type: "text", text: "You said: hi" });
    expect(lastHeaders?.get("x-meshapi-attempts")).toBe("2");
    const stream = client.messages.stream({
      model: "mesh/claude",
      max_tokens: 50,
      messages: [{ role: "user", content: "one two" }],
    });
    expect((await stream.finalMessage()).content[0]).toMatchObject({ text: "You said: one two" });
  });

  it("/v1/responses (translated here: the deployments are not OpenAI's own Responses API) fails over", async () => {
    const client = new OpenAI({
      baseURL: `${h.url}/v1`,
      apiKey: h.key,
      maxRetries: 0,
      fetch: recordingFetch,
    });
    const response = await client.responses.create({ model: "mesh/gpt", input: "hey there" });
    expect(response.output_text).toBe("You said: hey there");
    expect(lastHeaders?.get("x-meshapi-deployment")).toBe("openai/gpt-4o-mini:west");
  });

  it("per-key model access applies on every route, in each route's own error shape", async () => {
    const created = await h.keys.create("scoped", {}, { allowedModels: ["openai/*"] });
    h.gateway.keys.remember(created.record);
    const key = created.key;
    const openai = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: key, maxRetries: 0 });
    const embed = await openai.embeddings
      .create({ model: "mesh/embed", input: "x" })
      .catch((e: unknown) => e);
    expect(embed).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((embed as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
      code: "model_not_allowed",
    });
    const responses = await openai.responses
      .create({ model: "mesh/gpt", input: "x" })
      .catch((e: unknown) => e);
    expect(responses).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const anthropic = new Anthropic({ baseURL: h.url, apiKey: key, maxRetries: 0 });
    const msg = await anthropic.messages
      .create({
        model: "anthropic/claude-haiku-4-5",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      })
      .catch((e: unknown) => e);
    expect(msg).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((msg as Error).message).toContain("may not use");
    east.setFaults(null);
    expect(
      (await openai.embeddings.create({ model: "openai/text-embedding-3-small", input: "x" })).data,
    ).toHaveLength(1);
  });
});
