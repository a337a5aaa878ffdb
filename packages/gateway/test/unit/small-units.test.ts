import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { computeCost } from "../../src/config/prices.js";
import { newRequestId } from "../../src/http/request-id.js";
import { generateKey, hashesEqual, hashKey, looksLikeKey } from "../../src/keys/key-format.js";
import { priceUsage } from "../../src/pipeline/usage-math.js";
import { findTooDeep } from "../../src/pipeline/validate-body.js";
import {
  isRetryableUpstreamError,
  parseRetryAfter,
  upstreamStatusError,
} from "../../src/providers/upstream-status.js";

describe("computeCost", () => {
  it("bills cached prompt tokens at the cached rate", () => {
    expect(
      computeCost(
        { input: 2, output: 8, cachedInput: 0.5 },
        { promptTokens: 1000, completionTokens: 500, cachedTokens: 400 },
      ),
    ).toBeCloseTo((600 * 2 + 400 * 0.5 + 500 * 8) / 1e6, 12);
    expect(
      computeCost({ input: 1, output: 1 }, { promptTokens: 10, completionTokens: 0, cachedTokens: 10 }),
    ).toBeCloseTo(10e-6, 12);
  });
});

describe("priceUsage", () => {
  it("bills cache writes at their own rate when the usage reports them", () => {
    const price = { input: 3, output: 15, cachedInput: 0.3, cacheWrite: 3.75 };
    const usage = {
      prompt_tokens: 1000,
      completion_tokens: 10,
      total_tokens: 1010,
      prompt_tokens_details: { cached_tokens: 200, cache_write_tokens: 300 },
    };
    const expected = (500 * 3 + 200 * 0.3 + 300 * 3.75 + 10 * 15) / 1e6;
    expect(priceUsage(usage, price).costUsd).toBeCloseTo(expected, 12);
    expect(usage).toHaveProperty("cost", priceUsage(usage, price).costUsd);
  });
});

describe("keys", () => {
  it("generates rsk_<ULID> keys, stores only a hash, compares in constant time", () => {
    const a = generateKey();
    const b = generateKey();
    expect(looksLikeKey(a.key)).toBe(true);
    expect(a.key).not.toBe(b.key);
    expect(a.hash).toBe(hashKey(a.key));
    expect(a.hash).not.toContain(a.key);
    expect(a.displayPrefix).toBe(a.key.slice(0, 12));
    expect(hashesEqual(a.hash, hashKey(a.key))).toBe(true);
    expect(hashesEqual(a.hash, b.hash)).toBe(false);
    // A difference in the last character only, and a prefix, are both unequal.
    const last = a.hash.slice(0, -1) + (a.hash.endsWith("0") ? "1" : "0");
    expect(hashesEqual(a.hash, last)).toBe(false);
    expect(hashesEqual(a.hash, a.hash.slice(0, -1))).toBe(false);
    expect(looksLikeKey("rsk_short")).toBe(false);
  });
});

describe("upstream status mapping", () => {
  const provider = { name: "openai", apiKeyEnv: "OPENAI_API_KEY" } as Parameters<
    typeof upstreamStatusError
  >[0];
  it("parses Retry-After as seconds, as an HTTP date, and retry-after-ms", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter({ "retry-after": "12" }, now)).toBe(12);
    expect(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 00:00:30 GMT" }, now)).toBe(30);
    expect(parseRetryAfter({ "retry-after-ms": "1500" }, now)).toBe(2);
    expect(parseRetryAfter({ "retry-after": "soon" }, now)).toBeUndefined();
    expect(parseRetryAfter({}, now)).toBeUndefined();
  });

  it("maps statuses: 4xx kept, 401/403 → 502, 429 kept with retry, 5xx → 502", () => {
    expect(upstreamStatusError(provider, 400, {}, '{"error":{"message":"bad"}}')).toMatchObject({
      status: 400,
      message: expect.stringContaining("bad"),
    });
    expect(upstreamStatusError(provider, 401, {}, "").status).toBe(502);
    expect(upstreamStatusError(provider, 429, { "retry-after": "3" }, "")).toMatchObject({
      status: 429,
      retryAfterSeconds: 3,
    });
    expect(upstreamStatusError(provider, 500, {}, "oops").status).toBe(502);
    // Mistral's flat error body.
    expect(
      upstreamStatusError(provider, 422, {}, '{"object":"error","message":"extra_forbidden"}').message,
    ).toContain("extra_forbidden");
  });

  it("only server-side failures allow a fallback", () => {
    expect(isRetryableUpstreamError(upstreamStatusError(provider, 503, {}, ""))).toBe(true);
    expect(isRetryableUpstreamError(upstreamStatusError(provider, 429, {}, ""))).toBe(true);
    expect(isRetryableUpstreamError(upstreamStatusError(provider, 400, {}, ""))).toBe(false);
    expect(isRetryableUpstreamError(new Error("x"))).toBe(false);
  });
});

describe("findTooDeep", () => {
  it("names the top-level field of over-deep JSON", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(findTooDeep({ ok: { a: [1] }, bad: deep }, 64)).toBe("bad");
    expect(findTooDeep({ ok: { a: [1] } }, 64)).toBeUndefined();
  });
});

describe("loadConfig", () => {
  it("reads provider credentials and base URLs from the environment", () => {
    const c = loadConfig({ env: { GROQ_API_KEY: "g", GROQ_BASE_URL: "http://x/v1/" } });
    expect(c.providers.get("groq")).toMatchObject({ apiKey: "g", baseUrl: "http://x/v1" });
    expect(c.providers.get("openai")?.apiKey).toBeUndefined();
    expect(c.providers.get("ollama")?.requiresKey).toBe(false);
    expect(c.defaultModel).toBe("openai/gpt-4o");
  });

  it("adds custom providers and prices from the config file, and rejects typos", () => {
    const dir = mkdtempSync(join(tmpdir(), "meshapi-config-"));
    try {
      const file = join(dir, "c.json");
      writeFileSync(
        file,
        JSON.stringify({
          providers: {
            myvllm: {
              baseUrl: "http://127.0.0.1:8000/v1",
              apiKeyEnv: "MYVLLM_KEY",
              headers: { "x-team": "a" },
              models: ["m1"],
            },
          },
          prices: { "myvllm/m1": { input: 1, output: 2 } },
          timeouts: { connectMs: 1234 },
        }),
      );
      const c = loadConfig({ env: { MYVLLM_KEY: "k" }, configPath: file });
      expect(c.providers.get("myvllm")).toMatchObject({
        apiKey: "k",
        headers: { "x-team": "a" },
        models: ["m1"],
        requiresKey: true,
      });
      expect(c.providers.get("myvllm")?.timeouts.connectMs).toBe(1234);
      expect(c.prices.get("myvllm/m1")).toEqual({ input: 1, output: 2 });

      writeFileSync(file, JSON.stringify({ providerz: {} }));
      expect(() => loadConfig({ env: {}, configPath: file })).toThrow(ConfigError);
      writeFileSync(file, JSON.stringify({ providers: { nobase: {} } }));
      expect(() => loadConfig({ env: {}, configPath: file })).toThrow(/baseUrl/);
      writeFileSync(file, "{nope");
      expect(() => loadConfig({ env: {}, configPath: file })).toThrow(/not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rejects non-numeric numeric variables", () => {
    expect(() => loadConfig({ env: { MESHAPI_BODY_LIMIT_BYTES: "lots" } })).toThrow(ConfigError);
  });
});

describe("newRequestId", () => {
  it("spells req_ and a ULID: the time first (sortable), then 80 random bits", () => {
    const before = Date.now();
    const ids = Array.from({ length: 2000 }, () => newRequestId());
    for (const id of ids) expect(id).toMatch(/^req_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(new Set(ids).size).toBe(ids.length);
    // The time part decodes to the clock at the call.
    const decoded = [...(ids[0] as string).slice(4, 14)].reduce(
      (ms, c) => ms * 32 + "0123456789ABCDEFGHJKMNPQRSTVWXYZ".indexOf(c),
      0,
    );
    expect(decoded).toBeGreaterThanOrEqual(before);
    expect(decoded).toBeLessThanOrEqual(Date.now());
  });
});
