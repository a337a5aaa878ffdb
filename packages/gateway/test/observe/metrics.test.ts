import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, readEvents, startHarness } from "../helpers/harness.js";
import { parseExposition, type Sample, sampleValue, sumOf } from "../helpers/prometheus.js";

const TOKEN = "metrics-scrape-token-for-tests";
const MODEL = { provider: "openai", model: "openai/gpt-4o-mini" };

interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  cost?: number;
}

describe("GET /metrics after real requests", () => {
  let h: Harness;
  let samples: Sample[];
  let scrape: string;
  const usages: Usage[] = [];
  /** Upstream attempts of the failing request, as the gateway reports them (1 without retries). */
  let failedAttempts = 1;

  beforeAll(async () => {
    h = await startHarness({ env: { MESHAPI_METRICS_TOKEN: TOKEN } });
    for (const text of ["one", "two"]) {
      const res = await h.chat(ask(text));
      expect(res.status).toBe(200);
      usages.push(((await res.json()) as { usage: Usage }).usage);
    }
    const streamed = await h.chat(ask("three", { stream: true, stream_options: { include_usage: true } }));
    expect(streamed.status).toBe(200);
    const events = (await readEvents(streamed)) as { usage?: Usage }[];
    const tail = events.filter((e) => typeof e === "object" && e.usage).at(-1);
    usages.push(tail?.usage as Usage);
    // The upstream fails: a 502 with provider and model known.
    const failed = await h.chat(ask("boom [[sim:status=500]]"));
    expect(failed.status).toBe(502);
    failedAttempts = Number(failed.headers.get("x-meshapi-attempts") ?? "1");
    // Refused before routing: no provider, no model.
    expect((await h.chat({ model: "openai/gpt-4o-mini", messages: "nope" })).status).toBe(422);
    // One request per minute: the second is refused by the limiter.
    const limited = await h.newKey("limited", { rpm: 1 });
    const first = await h.chat(ask("first"), { key: limited });
    expect(first.status).toBe(200);
    usages.push(((await first.json()) as { usage: Usage }).usage);
    expect((await h.chat(ask("second"), { key: limited })).status).toBe(429);

    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    scrape = await res.text();
    samples = parseExposition(scrape);
  });
  afterAll(() => h?.close());

  it("counts chat requests by provider, model, stream and status", () => {
    const count = (labels: Record<string, string>) =>
      sampleValue(samples, "meshapi_chat_requests_total", labels);
    expect(count({ ...MODEL, stream: "false", status: "200" })).toBe(3);
    expect(count({ ...MODEL, stream: "true", status: "200" })).toBe(1);
    expect(count({ ...MODEL, stream: "false", status: "502" })).toBe(1);
    // Refused before a provider was called: counted without provider and model.
    expect(count({ provider: "none", model: "none", status: "429" })).toBe(1);
    expect(count({ provider: "none", model: "none", status: "422" })).toBe(1);
  });

  it("counts HTTP requests by route template, method and status, and the one in flight (the scrape)", () => {
    const http = (labels: Record<string, string>) =>
      sampleValue(samples, "meshapi_http_requests_total", labels);
    expect(http({ route: "/v1/chat/completions", method: "POST", status: "200" })).toBe(4);
    expect(http({ route: "/v1/chat/completions", method: "POST", status: "429" })).toBe(1);
    expect(sampleValue(samples, "meshapi_http_requests_in_flight")).toBe(1);
    expect(sampleValue(samples, "meshapi_chat_requests_in_flight")).toBe(0);
    expect(sampleValue(samples, "meshapi_chat_streams_in_flight")).toBe(0);
  });

  it("sums the tokens and cost the responses reported", () => {
    const input = usages.reduce((a, u) => a + u.prompt_tokens, 0);
    const output = usages.reduce((a, u) => a + u.completion_tokens, 0);
    const cost = usages.reduce((a, u) => a + (u.cost ?? 0), 0);
    expect(input).toBeGreaterThan(0);
    expect(cost).toBeGreaterThan(0);
    expect(sampleValue(samples, "meshapi_tokens_total", { ...MODEL, direction: "input" })).toBe(input);
    expect(sampleValue(samples, "meshapi_tokens_total", { ...MODEL, direction: "output" })).toBe(output);
    expect(sampleValue(samples, "meshapi_cost_usd_total", MODEL)).toBeCloseTo(cost, 12);
  });

  it("has latency histograms: total, upstream by outcome, overhead, time to first token", () => {
    const n = (name: string, labels: Record<string, string>) => sampleValue(samples, `${name}_count`, labels);
    expect(n("meshapi_chat_request_duration_seconds", { ...MODEL, stream: "false" })).toBe(4);
    expect(n("meshapi_chat_request_duration_seconds", { ...MODEL, stream: "true" })).toBe(1);
    expect(n("meshapi_upstream_duration_seconds", { ...MODEL, outcome: "ok" })).toBe(4);
    expect(n("meshapi_upstream_duration_seconds", { ...MODEL, outcome: "error" })).toBe(failedAttempts);
    expect(n("meshapi_gateway_overhead_seconds", MODEL)).toBe(3);
    expect(n("meshapi_chat_time_to_first_token_seconds", MODEL)).toBe(1);
    const inf = sampleValue(samples, "meshapi_chat_request_duration_seconds_bucket", {
      ...MODEL,
      stream: "false",
      le: "+Inf",
    });
    expect(inf).toBe(4);
    // The overhead is a part of the whole: its sum cannot exceed the requests' total time.
    const overhead = sampleValue(samples, "meshapi_gateway_overhead_seconds_sum", MODEL) ?? Number.NaN;
    const total = sampleValue(samples, "meshapi_chat_request_duration_seconds_sum", {
      ...MODEL,
      stream: "false",
    });
    expect(overhead).toBeGreaterThan(0);
    expect(overhead).toBeLessThan(total ?? 0);
  });

  it("counts limiter decisions by outcome and limit", () => {
    expect(
      sampleValue(samples, "meshapi_limiter_decisions_total", { decision: "refused", limit: "rpm" }),
    ).toBe(1);
    // Every request that reached admission: 5 answered or failed upstream, 1 refused.
    expect(sampleValue(samples, "meshapi_limiter_decisions_total", { decision: "admitted" })).toBe(5);
  });

  it("reports the usage queue, drops and the store's health; no Redis series in embedded mode", () => {
    expect(sampleValue(samples, "meshapi_usage_queue_depth")).toBeGreaterThanOrEqual(0);
    expect(sampleValue(samples, "meshapi_usage_events_dropped_total")).toBe(0);
    expect(sampleValue(samples, "meshapi_store_up", { dialect: "sqlite" })).toBe(1);
    expect(sampleValue(samples, "meshapi_redis_up")).toBeUndefined();
    expect(sampleValue(samples, "meshapi_process_resident_memory_bytes")).toBeGreaterThan(0);
  });

  it("puts no key, user or request id in any label", async () => {
    const ids = (await h.keys.list()).map((k) => k.id);
    expect(ids.length).toBeGreaterThan(1);
    for (const id of ids) expect(scrape).not.toContain(id);
    expect(scrape).not.toContain("rsk_");
    expect(scrape).not.toContain("req_");
    const labelNames = new Set(samples.flatMap((s) => Object.keys(s.labels)));
    for (const banned of ["key", "key_id", "user", "session", "request_id"])
      expect(labelNames).not.toContain(banned);
  });

  it("refuses a scrape without the token, with the error envelope", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }] as Record<string, string>[]) {
      const res = await fetch(`${h.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      const body = (await res.json()) as { error: { code: string }; request_id: string };
      expect(body.error.code).toBe("unauthorized");
      expect(body.request_id).toMatch(/^req_/);
    }
  });

  it("counts the refused scrapes under their route too", async () => {
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const after = parseExposition(await res.text());
    expect(sumOf(after, "meshapi_http_requests_total", { route: "/metrics", status: "401" })).toBe(2);
  });
});

describe("metrics switched off", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MESHAPI_METRICS: "false" } });
  });
  afterAll(() => h?.close());

  it("has no /metrics route, and chat still works", async () => {
    expect((await h.chat(ask("hi"))).status).toBe(200);
    const res = await fetch(`${h.url}/metrics`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });
});
