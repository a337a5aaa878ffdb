import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RedisCache } from "../../src/cache/redis-cache.js";
import { SqliteCache } from "../../src/cache/sqlite-cache.js";
import type { CachedAnswer, CacheLimits, ResponseCache } from "../../src/cache/types.js";
import { createTestRedis, redisSkipNote } from "../helpers/redis.js";

/** A clock the test moves by hand. */
class Clock {
  t = 1_764_000_000_000;
  now = () => this.t;
}

const answer = (text: string): CachedAnswer => ({
  kind: "json",
  model: "openai/gpt-4o-mini",
  provider: "openai",
  body: JSON.stringify({ text }),
});

interface Backend {
  name: string;
  enabled: boolean;
  open(limits: CacheLimits, clock: Clock): Promise<ResponseCache & { size(): unknown }>;
  cleanup(): Promise<void>;
}

const dir = mkdtempSync(join(tmpdir(), "meshapi-cache-"));
const redis = createTestRedis("cache-stores");
if (!redis) console.warn(redisSkipNote);
let files = 0;

const BACKENDS: Backend[] = [
  {
    name: "sqlite",
    enabled: true,
    open: async (limits, clock) =>
      new SqliteCache({ file: join(dir, `cache-${++files}.sqlite`), limits, now: clock.now }),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  },
  {
    name: "redis",
    enabled: redis !== undefined,
    open: async (limits, clock) => {
      // Each cache its own prefix, so bounds are counted per test.
      const cache = new RedisCache({
        url: redis?.url as string,
        prefix: `${redis?.prefix}${++files}:`,
        limits,
        now: clock.now,
      });
      await cache.connect();
      return cache;
    },
    cleanup: async () => redis?.drop(),
  },
];

const roomy: CacheLimits = { maxEntries: 100, maxBytes: 1_000_000, maxEntryBytes: 100_000 };

for (const backend of BACKENDS) {
  describe.skipIf(!backend.enabled)(`${backend.name} response cache`, () => {
    const open: ResponseCache[] = [];
    const make = async (limits: CacheLimits, clock = new Clock()) => {
      const cache = await backend.open(limits, clock);
      open.push(cache);
      return cache;
    };
    afterAll(async () => {
      for (const c of open) await c.close();
      await backend.cleanup();
    });

    it("gives back what was stored, and nothing for an unknown key", async () => {
      const cache = await make(roomy);
      const stream: CachedAnswer = {
        kind: "stream",
        model: "openai/gpt-4o-mini",
        provider: "openai",
        events: ['{"a":1}', '{"b":"ünïcødé 🚀"}'],
      };
      await cache.set("k:a:1", () => answer("one"), 60_000);
      await cache.set("k:a:2", () => stream, 60_000);
      expect(await cache.get("k:a:1")).toEqual(answer("one"));
      expect(await cache.get("k:a:2")).toEqual(stream);
      expect(await cache.get("k:a:3")).toBeUndefined();
    });

    it("forgets an entry once its TTL has passed", async () => {
      const clock = new Clock();
      const cache = await make(roomy, clock);
      await cache.set("k:a:ttl", () => answer("soon gone"), 30_000);
      clock.t += 29_999;
      expect(await cache.get("k:a:ttl")).toEqual(answer("soon gone"));
      clock.t += 1;
      expect(await cache.get("k:a:ttl")).toBeUndefined();
    });

    it("keeps at most maxEntries, evicting the entries closest to expiry", async () => {
      const cache = await make({ ...roomy, maxEntries: 3 });
      for (let i = 0; i < 5; i++) await cache.set(`k:a:${i}`, () => answer(`n${i}`), 10_000 + i * 1_000);
      const held = await Promise.all([0, 1, 2, 3, 4].map((i) => cache.get(`k:a:${i}`)));
      expect(held.map((a) => a !== undefined)).toEqual([false, false, true, true, true]);
      expect(await cache.size()).toMatchObject({ entries: 3 });
    });

    it("keeps at most maxBytes, and never stores an answer over maxEntryBytes", async () => {
      const one = Buffer.byteLength(JSON.stringify(answer("x".repeat(1000))));
      const cache = await make({ maxEntries: 100, maxBytes: one * 2 + 100, maxEntryBytes: one + 50 });
      for (let i = 0; i < 4; i++) await cache.set(`k:b:${i}`, () => answer(`${i}`.repeat(1000)), 10_000 + i);
      await cache.set("k:b:big", () => answer("y".repeat(2000)), 60_000);
      const held = await Promise.all([0, 1, 2, 3].map((i) => cache.get(`k:b:${i}`)));
      expect(held.map((a) => a !== undefined)).toEqual([false, false, true, true]);
      expect(await cache.get("k:b:big")).toBeUndefined();
      const { bytes } = (await cache.size()) as { bytes: number };
      expect(bytes).toBeLessThanOrEqual(one * 2 + 100);
      expect(bytes).toBeGreaterThan(one * 2 - 100);
    });

    it("writes an answer again in place, counting its bytes once", async () => {
      const cache = await make(roomy);
      await cache.set("k:c:1", () => answer("first"), 60_000);
      await cache.set("k:c:1", () => answer("second"), 60_000);
      expect(await cache.get("k:c:1")).toEqual(answer("second"));
      expect(await cache.size()).toMatchObject({ entries: 1 });
    });
  });
}
