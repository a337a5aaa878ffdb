import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

describe("GET /v1/models", () => {
  it("lists the configured providers' models with pricing, in OpenAI's list shape", async () => {
    const res = await fetch(`${h.url}/v1/models`, { headers: { authorization: `Bearer ${h.key}` } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.object).toBe("list");
    const ids = body.data.map((m: { id: string }) => m.id);
    expect(ids).toContain("openai/gpt-4o-mini");
    expect(ids.some((id: string) => id.startsWith("mistral/"))).toBe(false); // not configured
    const mini = body.data.find((m: { id: string }) => m.id === "openai/gpt-4o-mini");
    expect(mini).toMatchObject({
      object: "model",
      owned_by: "openai",
      pricing: { input: 0.15, output: 0.6 },
    });
  });

  it("gets one model by its provider/model id", async () => {
    const headers = { authorization: `Bearer ${h.key}` };
    expect((await (await fetch(`${h.url}/v1/models/openai/gpt-4o`, { headers })).json()).id).toBe(
      "openai/gpt-4o",
    );
    expect((await fetch(`${h.url}/v1/models/openai/nope`, { headers })).status).toBe(404);
  });

  it("needs a key", async () => {
    expect((await fetch(`${h.url}/v1/models`)).status).toBe(401);
  });
});

describe("health", () => {
  it("/healthz and /readyz answer without a key", async () => {
    const live = await fetch(`${h.url}/healthz`);
    expect(live.status).toBe(200);
    expect(live.headers.get("x-request-id")).toMatch(/^req_/);
    expect(await (await fetch(`${h.url}/readyz`)).json()).toEqual({ status: "ready", store: "sqlite" });
  });

  it("replaces a client's x-request-id with the gateway's own", async () => {
    const res = await fetch(`${h.url}/healthz`, { headers: { "x-request-id": "client-chosen-id-42" } });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
  });
});
