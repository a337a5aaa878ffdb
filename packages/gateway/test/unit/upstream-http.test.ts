import { type Simulator, startSimulator } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProviderConfig } from "../../src/config/config.js";
import { GatewayError } from "../../src/errors/catalog.js";
import { Cancellation } from "../../src/providers/cancellation.js";
import { UpstreamHttp } from "../../src/providers/upstream-http.js";

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
    timeouts: { connectMs: 1_000, firstByteMs: 5_000, idleMs: 5_000 },
    quirks: {},
  };
}

const body = JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
const headers = { "content-type": "application/json", authorization: "Bearer k" };

describe("UpstreamHttp pools", () => {
  it("sends calls under the provider's base URL to its pool by path, keeping the base URL's path prefix", async () => {
    const http = new UpstreamHttp();
    try {
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
    } finally {
      await http.close();
    }
  });

  it("sends a URL on another origin to that origin, not to the provider's pool", async () => {
    const http = new UpstreamHttp();
    try {
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
    } finally {
      await http.close();
    }
  });

  it("does not mistake a longer host with the same prefix for the provider's origin", async () => {
    const http = new UpstreamHttp();
    try {
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
    } finally {
      await http.close();
    }
  });

  it("maps a refused connection to a 502 upstream_error naming the provider", async () => {
    const http = new UpstreamHttp();
    try {
      const p = provider("http://127.0.0.1:9/v1");
      const err = await http
        .post(p, "http://127.0.0.1:9/v1/chat/completions", headers, body, new Cancellation())
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe("upstream_error");
      expect((err as GatewayError).message).toMatch(/Could not reach p/);
    } finally {
      await http.close();
    }
  });
});
