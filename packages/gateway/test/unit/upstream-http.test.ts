import { type Simulator, startSimulator } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../src/config/config.js";
import { GatewayError } from "../../src/errors/catalog.js";
import { Cancellation } from "../../src/providers/cancellation.js";
import { isAbort, UpstreamHttp } from "../../src/providers/upstream-http.js";

let home: Simulator;
let other: Simulator;
beforeAll(async () => {
  [home, other] = await Promise.all([startSimulator(), startSimulator()]);
});
afterAll(async () => {
  await Promise.all([home.close(), other.close()]);
});

function provider(baseUrl: string): ProviderConfig {
  return {
    name: "p",
    format: "openai",
    baseUrl,
    apiKey: "k",
    apiKeyEnv: "P_API_KEY",
    baseUrlEnv: "P_BASE_URL",
    requiresKey: true,
    headers: {},
    models: [],
    timeouts: { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 },
    maxEventBytes: 1024 * 1024,
    quirks: {},
  };
}

/** A chat request body with one user message. */
const chatBody = (content: string, model = "gpt-4o-mini") =>
  JSON.stringify({ model, messages: [{ role: "user", content }] });
const body = chatBody("hi");
const headers = { "content-type": "application/json", authorization: "Bearer k" };

/** Runs `test` with its own UpstreamHttp, whose pools are closed afterwards whatever happens. */
async function withHttp(test: (http: UpstreamHttp) => Promise<void>): Promise<void> {
  const http = new UpstreamHttp();
  try {
    await test(http);
  } finally {
    await http.close();
  }
}

describe("UpstreamHttp pools", () => {
  it("sends calls under the provider's base URL to its pool by path, keeping the base URL's path prefix", () =>
    withHttp(async (http) => {
      const p = provider(home.openaiBaseUrl);
      const res = await http.post(
        p,
        `${home.openaiBaseUrl}/chat/completions`,
        headers,
        body,
        new Cancellation(),
      );
      expect(res.statusCode).toBe(200);
      await res.body.text();
      expect(home.requests().at(-1)?.path).toBe("/v1/chat/completions");
    }));

  it("sends a URL on another origin to that origin, not to the provider's pool", () =>
    withHttp(async (http) => {
      const p = provider(home.openaiBaseUrl);
      const before = home.requests().length;
      const res = await http.post(
        p,
        `${other.openaiBaseUrl}/chat/completions`,
        headers,
        body,
        new Cancellation(),
      );
      expect(res.statusCode).toBe(200);
      await res.body.text();
      expect(other.requests().at(-1)?.path).toBe("/v1/chat/completions");
      expect(home.requests()).toHaveLength(before);
    }));

  it("does not mistake a longer host with the same prefix for the provider's origin", () =>
    withHttp(async (http) => {
      // http://127.0.0.1:80 is a prefix of http://127.0.0.1:8000…; only a "/" after the origin counts.
      const homePort = new URL(home.url).port;
      const otherPort = new URL(other.url).port;
      const p = provider(`http://127.0.0.1:${homePort}/v1`);
      const res = await http.post(
        p,
        `http://127.0.0.1:${otherPort}/v1/chat/completions`,
        headers,
        body,
        new Cancellation(),
      );
      await res.body.text();
      expect(other.requests().at(-1)?.path).toBe("/v1/chat/completions");
    }));

  it("maps a refused connection to a 502 upstream_error naming the provider", () =>
    withHttp(async (http) => {
      const p = provider("http://127.0.0.1:9/v1");
      const err = await http
        .post(p, "http://127.0.0.1:9/v1/chat/completions", headers, body, new Cancellation())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe("upstream_error");
      expect((err as GatewayError).message).toMatch(/Could not reach p/);
    }));

  it("reads a non-streaming answer whole, across many chunks, multi-byte characters intact", () =>
    withHttp(async (http) => {
      const p = provider(home.openaiBaseUrl);
      const long = chatBody("[[sim:words=20000]] é漢🙂");
      const res = await http.postBuffered(
        p,
        `${home.openaiBaseUrl}/chat/completions`,
        headers,
        long,
        new Cancellation(),
      );
      expect(res.statusCode).toBe(200);
      expect(res.headers["content-type"]).toMatch(/json/);
      expect(res.text.length).toBeGreaterThan(64 * 1024);
      const completion = JSON.parse(res.text) as { choices: { message: { content: string } }[] };
      expect(completion.choices[0]?.message.content.split(" ").length).toBeGreaterThanOrEqual(20000);
    }));

  it("hands back an error status with its headers and body for the adapter to map", () =>
    withHttp(async (http) => {
      const p = provider(home.openaiBaseUrl);
      const failing = chatBody("[[sim:status=429]]", "m");
      const res = await http.postBuffered(
        p,
        `${home.openaiBaseUrl}/chat/completions`,
        headers,
        failing,
        new Cancellation(),
      );
      expect(res.statusCode).toBe(429);
      expect(res.text).toMatch(/error/);
    }));

  it("cancels a buffered call when the client goes away, before or during the call", () =>
    withHttp(async (http) => {
      const p = provider(home.openaiBaseUrl);
      const early = new Cancellation();
      early.abort();
      const before = await http
        .postBuffered(p, `${home.openaiBaseUrl}/chat/completions`, headers, body, early)
        .catch((e: unknown) => e);
      expect(isAbort(before)).toBe(true);

      const slow = chatBody("[[sim:delay_ms=5000]]", "m");
      const during = new Cancellation();
      const call = http.postBuffered(p, `${home.openaiBaseUrl}/chat/completions`, headers, slow, during);
      setTimeout(() => during.abort(), 50);
      const started = performance.now();
      const err = await call.catch((e: unknown) => e);
      expect(isAbort(err)).toBe(true);
      expect(performance.now() - started).toBeLessThan(2_000);
      expect(during.listenerCount("abort")).toBe(0);
    }));
});
