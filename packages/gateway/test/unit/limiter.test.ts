import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryLimiter } from "../../src/limits/memory-limiter.js";
import { RedisLimiter } from "../../src/limits/redis-limiter.js";
import { type AdmitResult, type Limiter, SHARED_MINUTE_SLOT_MS } from "../../src/limits/types.js";
import { openStore } from "../../src/store/open-store.js";
import { type KeyLimits, NO_LIMITS, type Store } from "../../src/store/types.js";
import { createTestRedis, redisSkipNote } from "../helpers/redis.js";
import { usageEvent } from "../helpers/usage-event.js";

const redisEnv = createTestRedis("limiter");
if (!redisEnv) console.warn(redisSkipNote);

let seq = 0;
const admitN = async (
  limiter: Limiter,
  keyId: string,
  limits: Partial<KeyLimits>,
  n: number,
  reserve = 0,
) => {
  const all: AdmitResult[] = [];
  await Promise.all(
    Array.from({ length: n }, async () => {
      all.push(
        await limiter.admit({
          keyId,
          limits: { ...NO_LIMITS, ...limits },
          requestId: `req_${++seq}`,
          reserveNanos: reserve,
        }),
      );
    }),
  );
  return all;
};

/** The same behaviour from both implementations. */
function limiterSuite(name: string, make: (store: Store) => Promise<Limiter>, enabled = true) {
  describe.skipIf(!enabled)(`${name} limiter`, () => {
    let dir: string;
    let store: Store;
    let limiter: Limiter;
    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "meshapi-limiter-"));
      store = await openStore({ dataDir: dir });
      limiter = await make(store);
    });
    afterAll(async () => {
      await limiter?.close();
      await store?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("admits exactly rpm requests of a concurrent burst, then says which limit and when to retry", async () => {
      const results = await admitN(limiter, `key_rpm_${name}`, { rpm: 7 }, 40);
      expect(results.filter((r) => r.ok)).toHaveLength(7);
      const refused = results.filter((r) => !r.ok);
      expect(refused).toHaveLength(33);
      for (const r of refused) {
        if (r.ok) continue;
        expect(r.limit).toBe("rpm");
        expect(r.limitValue).toBe(7);
        expect(r.retryAfterMs).toBeGreaterThan(0);
        // A minute, plus (shared mode) the 10 ms booking slot: never before the window has room.
        expect(r.retryAfterMs).toBeLessThanOrEqual(60_000 + (name === "redis" ? SHARED_MINUTE_SLOT_MS : 0));
        expect(r.info).toMatchObject({ limitRequests: 7, remainingRequests: 0 });
      }
    });

    it("reports the remaining requests after each admission", async () => {
      const [first] = await admitN(limiter, `key_info_${name}`, { rpm: 3 }, 1);
      expect(first?.info).toMatchObject({ limitRequests: 3, remainingRequests: 2 });
    });

    it("enforces rpd when it is the tighter limit", async () => {
      const results = await admitN(limiter, `key_rpd_${name}`, { rpm: 100, rpd: 4 }, 10);
      expect(results.filter((r) => r.ok)).toHaveLength(4);
      expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, limit: "rpd" });
    });

    it("frees a concurrency slot when a request settles", async () => {
      const key = `key_conc_${name}`;
      const first = await admitN(limiter, key, { maxConcurrent: 2 }, 5);
      const admitted = first.filter((r) => r.ok);
      expect(admitted).toHaveLength(2);
      expect(first.find((r) => !r.ok)).toMatchObject({ limit: "max_concurrent" });
      const ticket = admitted[0];
      if (!ticket?.ok) throw new Error("unreachable");
      limiter.settle(ticket.ticket, { costNanos: 0, tokens: 0 });
      await limiter.settled();
      const again = await admitN(limiter, key, { maxConcurrent: 2 }, 3);
      expect(again.filter((r) => r.ok)).toHaveLength(1);
    });

    it("counts settled tokens against tpm", async () => {
      const key = `key_tpm_${name}`;
      const [a] = await admitN(limiter, key, { tpm: 100 }, 1);
      if (!a?.ok) throw new Error("first request refused");
      limiter.settle(a.ticket, { costNanos: 0, tokens: 60 });
      await limiter.settled();
      const [b] = await admitN(limiter, key, { tpm: 100 }, 1);
      expect(b).toMatchObject({ ok: true, info: { limitTokens: 100, remainingTokens: 40 } });
      if (!b?.ok) return;
      limiter.settle(b.ticket, { costNanos: 0, tokens: 40 });
      await limiter.settled();
      const [c] = await admitN(limiter, key, { tpm: 100 }, 1);
      expect(c).toMatchObject({ ok: false, limit: "tpm" });
    });

    it("holds reservations against the spend cap and settles them to the actual cost", async () => {
      const key = `key_spend_${name}`;
      const limits = { spendCapUsd: 1 }; // 1e9 nano-USD
      // Reservations of 0.3 USD: the 4th still starts below the cap (0.9 < 1), the 5th does not.
      const burst = await admitN(limiter, key, limits, 10, 300_000_000);
      const admitted = burst.filter((r) => r.ok);
      expect(admitted).toHaveLength(4);
      expect(burst.find((r) => !r.ok)).toMatchObject({ limit: "spend" });
      for (const r of admitted) if (r.ok) limiter.settle(r.ticket, { costNanos: 100_000_000, tokens: 5 });
      await limiter.settled();
      expect(await limiter.spent(key, { ...NO_LIMITS, ...limits })).toBe(400_000_000);
      const more = await admitN(limiter, key, limits, 10, 300_000_000);
      expect(more.filter((r) => r.ok)).toHaveLength(2); // 0.4 → 0.7 → 1.0
    });

    it("starts a key's spend from the usage already recorded (restarts, new instances)", async () => {
      await store.insertUsageEvents([
        usageEvent({ requestId: "req_old", keyId: `key_seed_${name}`, costUsd: 2.5 }),
      ]);
      const fresh = await make(store);
      try {
        const [r] = await admitN(fresh, `key_seed_${name}`, { spendCapUsd: 2.5 }, 1);
        expect(r).toMatchObject({ ok: false, limit: "spend" });
        const [month] = await admitN(fresh, `key_seed_${name}`, { spendCapUsd: 3, spendPeriod: "month" }, 1);
        expect(month?.ok).toBe(true);
      } finally {
        await fresh.close();
      }
    });
  });
}

limiterSuite("memory", (store) => MemoryLimiter.create(store));
limiterSuite(
  "redis",
  async (store) => {
    const limiter = new RedisLimiter({
      url: redisEnv?.url ?? "",
      prefix: `${redisEnv?.prefix}${++seq}:`,
      store,
    });
    await limiter.connect(() => {});
    return limiter;
  },
  Boolean(redisEnv),
);

afterAll(async () => {
  await redisEnv?.drop();
});

/** Runs `test` with an in-process limiter on a fresh SQLite store; `clock` fixes its time. */
async function withMemoryLimiter(
  test: (limiter: MemoryLimiter) => Promise<void>,
  clock?: () => number,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "meshapi-limiter-"));
  const store = await openStore({ dataDir: dir });
  try {
    await test(await MemoryLimiter.create(store, clock));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("memory limiter windows", () => {
  it("counts every request of one millisecond, though they share one log entry", async () => {
    const now = 2_000_000;
    await withMemoryLimiter(
      async (limiter) => {
        const results = await admitN(limiter, "same-ms", { rpm: 5, rpd: 7 }, 20);
        expect(results.filter((r) => r.ok)).toHaveLength(5);
        expect(results.find((r) => !r.ok)).toMatchObject({ limit: "rpm", retryAfterMs: 60_000 });
      },
      () => now,
    );
  });

  it("slides: requests come back exactly one window after they were made", async () => {
    let now = 1_000_000;
    await withMemoryLimiter(
      async (limiter) => {
        const limits = { rpm: 3 };
        expect((await admitN(limiter, "k", limits, 2)).every((r) => r.ok)).toBe(true); // at t
        now += 30_000;
        expect((await admitN(limiter, "k", limits, 2)).filter((r) => r.ok)).toHaveLength(1); // at t+30s
        now += 29_999;
        const [blocked] = await admitN(limiter, "k", limits, 1);
        expect(blocked).toMatchObject({ ok: false, retryAfterMs: 1 });
        now += 1; // the two from t leave the window
        expect((await admitN(limiter, "k", limits, 3)).filter((r) => r.ok)).toHaveLength(2);
      },
      () => now,
    );
  });

  it("answers and settles synchronously, so the request path awaits nothing in process", async () => {
    await withMemoryLimiter(async (limiter) => {
      const limits: KeyLimits = { ...NO_LIMITS, maxConcurrent: 1 };
      const first = limiter.admit({ keyId: "sync", limits, requestId: "r1", reserveNanos: 0 });
      expect(first).not.toBeInstanceOf(Promise);
      expect(first.ok).toBe(true);
      expect(limiter.admit({ keyId: "sync", limits, requestId: "r2", reserveNanos: 0 })).toMatchObject({
        ok: false,
        limit: "max_concurrent",
      });
      if (!first.ok) throw new Error("unreachable");
      expect(limiter.settle(first.ticket, { costNanos: 0, tokens: 0 })).toBeUndefined();
      expect(limiter.admit({ keyId: "sync", limits, requestId: "r3", reserveNanos: 0 }).ok).toBe(true);
    });
  });
});
