import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "../helpers/harness.js";

// Nothing listens on port 1: every Redis call fails at once, as when Redis is down.
describe("response cache with its Redis unreachable", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MESHAPI_REDIS_URL: "redis://127.0.0.1:1" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers live (a miss), streamed or not, never a 5xx", async () => {
    expect(h.gateway.cache?.kind).toBe("redis");
    for (const extra of [{}, { stream: true }]) {
      for (let i = 0; i < 2; i++) {
        const res = await h.chat(ask("Cache down", { cache: { ttl: 60 }, ...extra }));
        expect(res.status).toBe(200);
        expect(res.headers.get("x-meshapi-cache")).toBe("miss");
        expect(await res.text()).toContain("chat.completion");
      }
    }
  });
});

describe("response cache turned off (MESHAPI_CACHE=off)", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ env: { MESHAPI_CACHE: "off" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers every request live and says nothing about the cache", async () => {
    expect(h.gateway.cache).toBeUndefined();
    const ids = new Set<string>();
    for (let i = 0; i < 2; i++) {
      const res = await h.chat(ask("Cache off", { cache: { ttl: 60 } }));
      expect(res.status).toBe(200);
      expect(res.headers.has("x-meshapi-cache")).toBe(false);
      ids.add(((await res.json()) as { id: string }).id);
    }
    expect(ids.size).toBe(2);
  });
});
