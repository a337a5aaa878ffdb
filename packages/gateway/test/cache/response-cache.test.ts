import OpenAI from "openai";
import type { ChatCompletionCreateParamsNonStreaming } from "openai/resources/chat/completions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODES } from "../governance/modes.js";
import { ask, type Harness, startHarness } from "../helpers/harness.js";

const ADMIN = "admin-secret-token";

/** What the simulator received at its chat route so far. */
const upstreamCalls = (h: Harness) =>
  h.sim.requests().filter((r) => r.path === "/v1/chat/completions").length;

const withCache = (text: string, ttl = 60, extra: Record<string, unknown> = {}) =>
  ask(text, { cache: { ttl }, ...extra });

async function admin(h: Harness, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${h.url}/admin${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Creates a key through the admin API (as an operator would) and returns its secret. */
async function adminKey(h: Harness, body: Record<string, unknown>): Promise<string> {
  const res = await admin(h, "POST", "/keys", body);
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

for (const mode of MODES) {
  describe.skipIf(!mode.enabled)(`response cache (${mode.name})`, () => {
    let h: Harness;
    let drop: () => Promise<void>;
    let client: OpenAI;
    /** Added to the cache's clock: moving time without waiting. */
    let skewMs = 0;

    beforeAll(async () => {
      const setup = await mode.setup("cache");
      drop = setup.drop;
      h = await startHarness({
        env: { ...setup.env, MESHAPI_ADMIN_TOKEN: ADMIN },
        cacheClock: () => Date.now() + skewMs,
      });
      expect(h.gateway.cache?.kind).toBe(mode.name === "shared" ? "redis" : "sqlite");
      client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 });
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    /** A request and, once its answer is stored, the same request again. */
    async function twice(body: unknown, key?: string): Promise<[Response, Response]> {
      const first = await h.chat(body, key ? { key } : {});
      const firstText = await first.text();
      await h.gateway.cache?.flush();
      const second = await h.chat(body, key ? { key } : {});
      return [new Response(firstText, { headers: first.headers, status: first.status }), second];
    }

    it("answers a repeated request from the cache (official client): same answer, cost 0, no upstream call", async () => {
      const params = withCache("What is cached?") as unknown as ChatCompletionCreateParamsNonStreaming;
      const live = await client.chat.completions.create(params).withResponse();
      expect(live.response.headers.get("x-meshapi-cache")).toBe("miss");
      expect((live.data.usage as { cost?: number } | undefined)?.cost).toBeGreaterThan(0);
      await h.gateway.cache?.flush();
      const calls = upstreamCalls(h);

      const hit = await client.chat.completions.create(params).withResponse();
      expect(hit.response.headers.get("x-meshapi-cache")).toBe("hit");
      expect(upstreamCalls(h)).toBe(calls);
      // The original answer (its id included), except that it costs nothing now.
      expect(hit.data).toEqual({ ...live.data, usage: { ...live.data.usage, cost: 0 } });
    });

    it("replays a stream byte for byte as the live one was sent, cost 0, both usage tail forms", async () => {
      for (const extra of [{ stream: true }, { stream: true, stream_options: { include_usage: true } }]) {
        const [live, hit] = await twice(withCache(`Stream me ${JSON.stringify(extra)}`, 60, extra));
        expect(live.headers.get("x-meshapi-cache")).toBe("miss");
        expect(hit.headers.get("x-meshapi-cache")).toBe("hit");
        expect(hit.headers.get("content-type")).toBe(live.headers.get("content-type"));
        const liveText = await live.text();
        expect(liveText).toMatch(/"cost":[1-9.e0-]+/);
        expect(liveText.endsWith("data: [DONE]\n\n")).toBe(true);
        expect(await hit.text()).toBe(liveText.replace(/"cost":[0-9.e-]+/, '"cost":0'));
      }
      // And the official client reads a replayed stream like a live one.
      const params = { ...withCache('Stream me {"stream":true}', 60), stream: true } as never;
      const stream = await client.chat.completions.create(params).withResponse();
      expect(stream.response.headers.get("x-meshapi-cache")).toBe("hit");
      let text = "";
      let finish: string | null = null;
      for await (const chunk of stream.data as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      expect(text.length).toBeGreaterThan(0);
      expect(finish).toBe("stop");
    });

    it("forgets an answer once its TTL has passed", async () => {
      const body = withCache("Short-lived", 30);
      const [, hit] = await twice(body);
      expect(hit.headers.get("x-meshapi-cache")).toBe("hit");
      await hit.text();
      skewMs += 30_001;
      try {
        const later = await h.chat(body);
        expect(later.headers.get("x-meshapi-cache")).toBe("miss");
        await later.text();
      } finally {
        skewMs = 0;
      }
    });

    it("never serves one key's answers to another, unless both share a namespace", async () => {
      const body = withCache("Whose answer?");
      const [first] = await twice(body);
      const other = await h.newKey("other");
      const res = await h.chat(body, { key: other });
      expect(res.headers.get("x-meshapi-cache")).toBe("miss");
      expect(((await res.json()) as { id: string }).id).not.toBe(((await first.json()) as { id: string }).id);

      // Keys of one namespace share; the setting comes from the admin API.
      const a = await adminKey(h, { name: "team-a", cache_namespace: "team" });
      const b = await adminKey(h, { name: "team-b", cache_namespace: "team" });
      const shared = withCache("Team answer");
      expect((await h.chat(shared, { key: a })).headers.get("x-meshapi-cache")).toBe("miss");
      await h.gateway.cache?.flush();
      expect((await h.chat(shared, { key: b })).headers.get("x-meshapi-cache")).toBe("hit");
      expect((await h.chat(shared, { key: other })).headers.get("x-meshapi-cache")).toBe("miss");
    });

    it("caches every answer of a key with cache_ttl_seconds; says bypass for ttl 0 and nothing when off", async () => {
      const keyed = await adminKey(h, { name: "cached", cache_ttl_seconds: 120 });
      const view = (await (await admin(h, "GET", "/keys")).json()) as {
        data: { name: string; cache_ttl_seconds: number | null; cache_namespace: string | null }[];
      };
      expect(view.data.find((k) => k.name === "cached")).toMatchObject({
        cache_ttl_seconds: 120,
        cache_namespace: null,
      });
      const [miss, hit] = await twice(ask("Key-level caching"), keyed);
      expect([miss.headers.get("x-meshapi-cache"), hit.headers.get("x-meshapi-cache")]).toEqual([
        "miss",
        "hit",
      ]);

      const bypass = await h.chat(withCache("Opted out", 0), { key: keyed });
      expect(bypass.headers.get("x-meshapi-cache")).toBe("bypass");
      await bypass.text();
      await h.gateway.cache?.flush();
      // ttl 0 neither read nor wrote the cache.
      expect((await h.chat(ask("Opted out"), { key: keyed })).headers.get("x-meshapi-cache")).toBe("miss");

      const plain = await h.chat(ask("No caching asked for"));
      expect(plain.headers.has("x-meshapi-cache")).toBe(false);
      await plain.text();

      // Turned off again through the admin API: no header any more.
      const id = view.data.find((k) => k.name === "cached") as unknown as { id: string };
      expect((await admin(h, "PATCH", `/keys/${id.id}`, { cache_ttl_seconds: null })).status).toBe(200);
      const off = await h.chat(ask("Key-level caching"), { key: keyed });
      expect(off.headers.has("x-meshapi-cache")).toBe(false);
      await off.text();
    });

    it("never keeps an error or a stream that failed mid-way", async () => {
      const [err1, err2] = await twice(withCache("Broken [[sim:status=500]]"));
      expect([err1.status, err2.status]).toEqual([502, 502]);
      expect(err2.headers.get("x-meshapi-cache")).toBe("miss");
      await err2.text();

      const cut = withCache("Cut short [[sim:cut_after=2]]", 60, { stream: true });
      const [broken, again] = await twice(cut);
      // A live stream that started (200, two content events) and then failed in-band.
      expect(broken.status).toBe(200);
      const brokenText = await broken.text();
      expect(brokenText).toMatch(/"delta".*\n\ndata: \{"error"/s);
      expect(brokenText.endsWith("data: [DONE]\n\n")).toBe(true);
      expect(again.headers.get("x-meshapi-cache")).toBe("miss");
      await again.text();

      // A client that goes away mid-stream cancels the answer; it is not kept either.
      const slow = withCache("Left early [[sim:words=6,chunk_delay_ms=60]]", 60, { stream: true });
      const controller = new AbortController();
      const left = await h.chat(slow, { signal: controller.signal });
      const reader = left.body?.getReader();
      await reader?.read();
      controller.abort();
      await h.sim.waitFor((r) => r.aborted && JSON.stringify(r.body).includes("Left early"));
      await h.gateway.cache?.flush();
      const after = await h.chat(slow);
      expect(after.headers.get("x-meshapi-cache")).toBe("miss");
      await after.text();
    });

    it("records a hit in usage with cost 0 and counts it as a request against rpm", async () => {
      const key = await h.newKey("accounted", { rpm: 2 });
      const [miss, hit] = await twice(withCache("Account for me"), key);
      const missCost = ((await miss.json()) as { usage: { cost: number } }).usage.cost;
      expect(((await hit.json()) as { usage: { cost: number } }).usage.cost).toBe(0);
      // A hit takes a request of the key's rpm like any other (docs/api.md, "Response cache").
      const third = await h.chat(withCache("Account for me"), { key });
      expect(third.status).toBe(429);
      await third.text();

      await h.gateway.usage.flush();
      const report = (await (
        await fetch(`${h.url}/v1/usage`, { headers: { authorization: `Bearer ${key}` } })
      ).json()) as {
        total: { requests: number; cache_hits: number; cost_usd: number; total_tokens: number };
      };
      expect(report.total).toMatchObject({ requests: 3, cache_hits: 1 });
      expect(report.total.cost_usd).toBeCloseTo(missCost, 12);
    });

    it("refuses a malformed cache extension with 422 and the field's location", async () => {
      for (const cache of [
        { ttl: -1 },
        { ttl: 1.5 },
        { ttl: 30 * 86_400 + 1 },
        { ttl: 60, shared: true },
        "yes",
      ]) {
        const res = await h.chat(ask("Bad cache", { cache }));
        expect(res.status, JSON.stringify(cache)).toBe(422);
        const body = (await res.json()) as { error: { code: string; details: { loc: unknown[] }[] } };
        expect(body.error.code).toBe("validation_error");
        expect(body.error.details[0]?.loc.slice(0, 2)).toEqual(["body", "cache"]);
      }
      expect((await admin(h, "POST", "/keys", { name: "x", cache_ttl_seconds: 0 })).status).toBe(422);
      expect((await admin(h, "POST", "/keys", { name: "x", cache_namespace: "no spaces" })).status).toBe(422);
    });
  });
}
