/** Vendor failures, before and after the first byte, as the client sees them through the gateway. */
import OpenAI from "openai";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { readEvents } from "../helpers/harness.js";
import { apiError, startVendorHarness, VENDOR_KEYS, type VendorHarness } from "./helpers.js";

const VENDORS = [
  { name: "anthropic", model: "anthropic/claude-haiku-4-5", keyEnv: "ANTHROPIC_API_KEY" },
  { name: "google", model: "google/gemini-2.5-flash", keyEnv: "GEMINI_API_KEY" },
];

let v: VendorHarness;
beforeAll(async () => {
  v = await startVendorHarness();
});
afterAll(() => v.close());
beforeEach(() => v.h.sim.reset());

type Envelope = { error: Record<string, unknown>; request_id: string };

describe.each(VENDORS)("$name errors", (vendor) => {
  const ask = (content: string, extra: Record<string, unknown> = {}) =>
    v.client.chat.completions.create({
      model: vendor.model,
      messages: [{ role: "user", content }],
      ...extra,
    });

  it("429 → 429 with Retry-After passed on", async () => {
    const err = await apiError(ask("[[sim:status=429,retry_after=7]]"));
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect(err.headers?.get("retry-after")).toBe("7");
    expect(err.error).toMatchObject({ code: "upstream_error", retry_after_seconds: 7 });
    expect((err.error as Record<string, unknown>).provider_error).toBeTruthy();
  });

  it("an invalid request → 400 upstream_error with the vendor's message", async () => {
    const err = await apiError(ask("[[sim:status=400]]"));
    expect(err.status).toBe(400);
    expect(err.error).toMatchObject({ code: "upstream_error", type: "upstream_error" });
    expect(err.message).toContain("Simulated error (status 400)");
  });

  it.each([401, 403])(
    "refused credentials (%i) → 502 naming the variable, with provider_error",
    async (status) => {
      const err = await apiError(ask(`[[sim:status=${status}]]`));
      expect(err.status).toBe(502);
      expect(err.message).toContain(vendor.keyEnv);
      expect((err.error as Record<string, unknown>).provider_error).toBeTruthy();
    },
  );

  it("a server error → 502", async () => {
    const err = await apiError(ask("[[sim:status=500]]"));
    expect(err.status).toBe(502);
    expect(err.error).toMatchObject({ code: "upstream_error" });
  });

  it("an unknown model → 404 upstream_error", async () => {
    const err = await apiError(
      v.client.chat.completions.create({
        model: `${vendor.model.split("/")[0]}/model-unknown`,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(err.status).toBe(404);
    expect(err.error).toMatchObject({ code: "upstream_error" });
  });

  it("a stream that fails before the first byte answers with the real status", async () => {
    const res = await v.h.chat({
      model: vendor.model,
      stream: true,
      messages: [{ role: "user", content: "[[sim:status=429,retry_after=3]]" }],
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("3");
    expect(((await res.json()) as Envelope).error.code).toBe("upstream_error");
  });

  it("an in-band vendor error mid-stream → the error frame, then [DONE]", async () => {
    const res = await v.h.chat({
      model: vendor.model,
      stream: true,
      messages: [{ role: "user", content: "one two three [[sim:stream_error]]" }],
    });
    expect(res.status).toBe(200);
    const events = await readEvents(res);
    expect(events[events.length - 1]).toBe("[DONE]");
    const frame = events[events.length - 2] as Envelope;
    expect(frame.error).toMatchObject({ code: "upstream_error", type: "upstream_error" });
    expect(String(frame.error.message)).toMatch(/overloaded/i);
    expect(frame.request_id).toMatch(/^req_/);
  });

  it("the official client throws on the in-band error", async () => {
    const stream = await v.client.chat.completions.create({
      model: vendor.model,
      messages: [{ role: "user", content: "one two three [[sim:stream_error]]" }],
      stream: true,
    });
    const err = await (async () => {
      for await (const _ of stream) {
        // drain
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(String((err as Error).message)).toMatch(/overloaded/i);
  });

  it.each([
    ["a cut connection", "[[sim:words=20,cut_after=4]]"],
    ["a malformed event", "[[sim:words=20,malformed_after=3]]"],
  ])("%s mid-stream → error frame, never a silent end", async (_name, directive) => {
    const res = await v.h.chat({
      model: vendor.model,
      stream: true,
      messages: [{ role: "user", content: directive }],
    });
    const events = await readEvents(res);
    expect(events[events.length - 1]).toBe("[DONE]");
    expect((events[events.length - 2] as Envelope).error.code).toBe("upstream_error");
  });

  it("client disconnect mid-stream aborts the upstream stream", async () => {
    const controller = new AbortController();
    const res = await v.h.chat(
      {
        model: vendor.model,
        stream: true,
        messages: [{ role: "user", content: "[[sim:words=500,chunk_delay_ms=20]]" }],
      },
      { signal: controller.signal },
    );
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    const upstream = await v.h.sim.waitFor(() => true);
    controller.abort();
    const seen = await v.h.sim.waitFor((r) => r.id === upstream.id && r.aborted, 2_000);
    expect(seen.finished).toBe(false);
  });

  it("client disconnect while the vendor thinks aborts the upstream call", async () => {
    const controller = new AbortController();
    const pending = v.h.chat(
      { model: vendor.model, messages: [{ role: "user", content: "[[sim:hang]]" }] },
      { signal: controller.signal },
    );
    pending.catch(() => {});
    const upstream = await v.h.sim.waitFor(() => true);
    controller.abort();
    const seen = await v.h.sim.waitFor((r) => r.id === upstream.id && r.aborted, 2_000);
    expect(seen.finished).toBe(false);
  });
});

describe("vendor-specific mappings", () => {
  it("Anthropic overloaded_error (529) → 503 upstream_error", async () => {
    const err = await apiError(
      v.client.chat.completions.create({
        model: "anthropic/claude-haiku-4-5",
        messages: [{ role: "user", content: "[[sim:status=529]]" }],
      }),
    );
    expect(err.status).toBe(503);
    expect(err.error).toMatchObject({
      code: "upstream_error",
      provider_error: { error: { type: "overloaded_error" } },
    });
  });

  it("an overloaded Anthropic model is retryable: the next model in `models` is tried", async () => {
    const err = await apiError(
      v.client.chat.completions.create({
        model: "anthropic/claude-haiku-4-5",
        messages: [{ role: "user", content: "[[sim:status=529]] hi" }],
        // @ts-expect-error MeshAPI extension
        models: ["google/gemini-2.5-flash"],
      }),
    );
    // The directive follows the conversation, so the fallback fails too — but it was tried.
    expect(v.h.sim.requests().map((r) => r.path)).toEqual([
      "/v1/messages",
      "/v1beta/models/gemini-2.5-flash:generateContent",
    ]);
    expect(err.message).toContain("google failed (HTTP 529)");
  });

  it("Gemini RESOURCE_EXHAUSTED → 429 with the provider error", async () => {
    const err = await apiError(
      v.client.chat.completions.create({
        model: "google/gemini-2.5-flash",
        messages: [{ role: "user", content: "[[sim:status=429,retry_after=2]]" }],
      }),
    );
    expect(err.status).toBe(429);
    expect(err.error).toMatchObject({
      retry_after_seconds: 2,
      provider_error: { error: { status: "RESOURCE_EXHAUSTED" } },
    });
  });
});

describe("keys the vendor refuses", () => {
  let strict: VendorHarness;
  beforeAll(async () => {
    strict = await startVendorHarness(
      { ANTHROPIC_API_KEY: "wrong", GEMINI_API_KEY: "wrong" },
      { apiKey: { anthropic: VENDOR_KEYS.anthropic, gemini: VENDOR_KEYS.gemini } },
    );
  });
  afterAll(() => strict.close());

  it.each(VENDORS)("$name: a refused gateway key is a 502, not the client's 401", async (vendor) => {
    const err = await apiError(
      strict.client.chat.completions.create({
        model: vendor.model,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(err.status).toBe(502);
    expect(err.message).toContain(vendor.keyEnv);
  });
});
