import { describe, expect, it } from "vitest";
import { KeyBatcher } from "../../src/limits/key-batcher.js";
import { RedisLimiter } from "../../src/limits/redis-limiter.js";
import type { AdmitResult, Ticket } from "../../src/limits/types.js";
import { type KeyLimits, NO_LIMITS } from "../../src/store/types.js";
import { createTestRedis, redisSkipNote } from "../helpers/redis.js";
import { countScriptCalls, redisLimiterFixture } from "../helpers/redis-limiters.js";
import { usageEvent } from "../helpers/usage-event.js";

/** A batcher whose sends answer at once, recording each batch as [group, items]. */
function recordingBatcher(lazyMs: number) {
  const sent: [string, string[]][] = [];
  const batcher = new KeyBatcher<string>(
    async (group, items) => {
      sent.push([group, items]);
    },
    100,
    lazyMs,
  );
  return { batcher, sent };
}

describe("key batcher", () => {
  it("hands over each group's items in order, one batch per group in flight", async () => {
    const sent: [string, number[]][] = [];
    const inflight = new Map<string, () => void>();
    const batcher = new KeyBatcher<number>((group, items) => {
      sent.push([group, items]);
      return new Promise<void>((r) => inflight.set(group, r));
    }, 100);
    const turn = () => new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) batcher.add("a", i);
    batcher.add("b", 99);
    await turn();
    expect(sent).toEqual([
      ["a", [0, 1, 2, 3, 4]],
      ["b", [99]],
    ]);
    // While a's batch is in flight, its new items wait, whatever else answers meanwhile.
    for (let i = 5; i < 8; i++) batcher.add("a", i);
    inflight.get("b")?.();
    await turn();
    await turn();
    expect(sent).toHaveLength(2);
    // a's batch answers: the waiting items go out together.
    inflight.get("a")?.();
    await turn();
    await turn();
    expect(sent[2]).toEqual(["a", [5, 6, 7]]);
    inflight.get("a")?.();
    await batcher.drain();
  });

  it("lets lazy items wait for an urgent one to ride along with, or for the lazy timer", async () => {
    const { batcher, sent } = recordingBatcher(50);
    const turn = () => new Promise((r) => setImmediate(r));
    batcher.add("a", "settle-1", false);
    batcher.add("a", "settle-2", false);
    batcher.add("b", "settle-3", false);
    await turn();
    await turn();
    expect(sent).toEqual([]);
    // An admission for a: a's settles go with it, first, at once; b's keep waiting.
    batcher.add("a", "admit-1");
    await turn();
    expect(sent).toEqual([["a", ["settle-1", "settle-2", "admit-1"]]]);
    // The timer: b's settle goes on its own.
    await new Promise((r) => setTimeout(r, 80));
    expect(sent).toEqual([
      ["a", ["settle-1", "settle-2", "admit-1"]],
      ["b", ["settle-3"]],
    ]);
  });

  it("sends a group once its earliest lazy item is due, each item with its own wait", async () => {
    const { batcher, sent } = recordingBatcher(40);
    batcher.add("a", "settle-long", false, 10_000);
    batcher.add("b", "settle-default", false);
    await new Promise((r) => setTimeout(r, 120));
    // b's item waited its default 40 ms; a's waits on.
    expect(sent).toEqual([["b", ["settle-default"]]]);
    // A shorter wait brings a's group forward, the long-waiting item with it.
    batcher.add("a", "settle-short", false, 20);
    await new Promise((r) => setTimeout(r, 120));
    expect(sent).toEqual([
      ["b", ["settle-default"]],
      ["a", ["settle-long", "settle-short"]],
    ]);
  });

  it("sends lazy items at shutdown without waiting for their timer", async () => {
    const sent: string[][] = [];
    // A timer far past the test's timeout: drain must not wait for it.
    const batcher = new KeyBatcher<string>(
      async (_group, items) => {
        sent.push(items);
      },
      100,
      600_000,
    );
    batcher.add("c", "settle-4", false);
    await batcher.drain();
    expect(sent).toEqual([["settle-4"]]);
  });

  it("splits a group past the batch limit, in order", async () => {
    const sent: number[][] = [];
    const batcher = new KeyBatcher<number>(async (_group, items) => {
      sent.push(items);
    }, 3);
    for (let i = 0; i < 8; i++) batcher.add("a", i);
    await batcher.drain();
    expect(sent).toEqual([
      [0, 1, 2],
      [3, 4, 5],
      [6, 7],
    ]);
  });

  it("keeps going when a send fails", async () => {
    let calls = 0;
    const batcher = new KeyBatcher<number>(async () => {
      calls++;
      throw new Error("down");
    }, 10);
    batcher.add("a", 1);
    await batcher.drain();
    batcher.add("a", 2);
    await batcher.drain();
    expect(calls).toBe(2);
  });
});

const redisEnv = createTestRedis("batching");
if (!redisEnv) console.warn(redisSkipNote);

describe.skipIf(!redisEnv)("redis limiter batching", () => {
  let seq = 0;
  const fx = redisLimiterFixture(redisEnv, "batching");
  const make = (
    prefix = `${redisEnv?.prefix}${++seq}:`,
    maxBatch?: number,
    slotTtlMs?: number,
    leases = true,
  ) => fx.make({ prefix, leases, ...(maxBatch ? { maxBatch } : {}), ...(slotTtlMs ? { slotTtlMs } : {}) });
  const burst = (limiter: RedisLimiter, keyId: string, limits: Partial<KeyLimits>, n: number, reserve = 0) =>
    Promise.all(
      Array.from({ length: n }, () =>
        limiter.admit({
          keyId,
          limits: { ...NO_LIMITS, ...limits },
          requestId: `req_${++seq}`,
          reserveNanos: reserve,
        }),
      ),
    );
  const tickets = (results: AdmitResult[]): Ticket[] => results.flatMap((r) => (r.ok ? [r.ticket] : []));
  /**
   * After n requests of max_concurrent n settled at 0.1 USD and 10 tokens each: every slot is free
   * again, and their tokens and cost are booked.
   */
  const expectAllBooked = async (
    limiter: RedisLimiter,
    keyId: string,
    limits: Partial<KeyLimits>,
    n: number,
  ) => {
    const again = await burst(limiter, keyId, limits, n, 0);
    expect(again.filter((r) => r.ok)).toHaveLength(n); // every slot was freed
    const one = again[0];
    expect(one?.ok && one.info.remainingTokens).toBe(1_000_000 - 10 * n);
    expect(await limiter.spent(keyId, { ...NO_LIMITS, ...limits })).toBe(n * 100_000_000);
  };

  it("admits exactly rpm of 300 admits issued in one turn, in a couple of script calls", async () => {
    const limiter = await make();
    const counter = countScriptCalls(limiter);
    const results = await burst(limiter, "key_exact", { rpm: 50, rpd: 1000, maxConcurrent: 1000 }, 300);
    expect(results.filter((r) => r.ok)).toHaveLength(50);
    // One, plus one after seeding the spend counter, plus one if the script had to be loaded first.
    expect(counter.calls).toBeLessThanOrEqual(3);
    // In arrival order, exactly as one call per request would have answered.
    expect(results.slice(0, 50).every((r) => r.ok)).toBe(true);
    expect(results.slice(0, 50).map((r) => r.info.remainingRequests)).toEqual(
      Array.from({ length: 50 }, (_, i) => 49 - i),
    );
    for (const r of results.slice(50)) {
      expect(r).toMatchObject({ ok: false, limit: "rpm", limitValue: 50, info: { remainingRequests: 0 } });
      if (!r.ok) expect(r.retryAfterMs).toBeGreaterThan(59_000);
    }
  });

  it("stays exact with small batches and two instances hammering one key", async () => {
    const prefix = `${redisEnv?.prefix}shared${++seq}:`;
    const a = await make(prefix, 7);
    const b = await make(prefix, 3);
    const [ra, rb] = await Promise.all([
      burst(a, "key_two", { rpm: 40, maxConcurrent: 500 }, 150),
      burst(b, "key_two", { rpm: 40, maxConcurrent: 500 }, 150),
    ]);
    expect([...ra, ...rb].filter((r) => r.ok)).toHaveLength(40);
  });

  it("keeps one day-log entry per second however many calls book into it, with the count exact", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const limiter = await make(prefix, 7);
    let admitted = 0;
    // Several script calls (batches of 7) within a second or two, then the rpd boundary.
    for (let round = 0; round < 5; round++) {
      const results = await burst(limiter, "key_day", { rpd: 60 }, 14);
      admitted += results.filter((r) => r.ok).length;
    }
    expect(admitted).toBe(60);
    const base = `${prefix}rl3:{key_day}:`;
    const entries = await limiter.redis.zrange(`${base}d`, 0, -1, "WITHSCORES");
    const seconds = entries.filter((_, i) => i % 2 === 1).map(Number);
    expect(new Set(seconds).size).toBe(seconds.length);
    for (const second of seconds) expect(second % 1000).toBe(0);
    // Closed seconds are in the log; the current one is still the open slot in the state hash.
    const [sum, open] = await limiter.redis.hmget(`${base}h`, "d", "dn");
    const logged = entries.filter((_, i) => i % 2 === 0).reduce((n, m) => n + Number(m.split(":")[1]), 0);
    expect(logged + Number(open)).toBe(60);
    expect(Number(sum)).toBe(60);
  });

  it("books a minute's requests into its log once per 10 ms slot, and every key of a key id expires", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    // Steady enough to earn leases, whose unused requests would count until given back: off here.
    const limiter = await make(prefix, 5, undefined, false);
    const limits = { rpm: 1000, rpd: 10_000, tpm: 1_000_000, maxConcurrent: 1000 };
    const admitted: Ticket[] = [];
    for (let round = 0; round < 6; round++) {
      admitted.push(...tickets(await burst(limiter, "key_slots", limits, 10)));
      await new Promise((r) => setTimeout(r, 15));
    }
    expect(admitted).toHaveLength(60);
    for (const t of admitted) limiter.settle(t, { costNanos: 0, tokens: 3 });
    await limiter.settled();
    const base = `${prefix}rl3:{key_slots}:`;
    const log = await limiter.redis.zrange(`${base}m`, 0, -1, "WITHSCORES");
    const slots = log.filter((_, i) => i % 2 === 1).map(Number);
    for (const slot of slots) expect(slot % 10).toBe(0);
    expect(new Set(slots).size).toBe(slots.length);
    const [minute, open, tokens] = await limiter.redis.hmget(`${base}h`, "m", "mn", "t");
    const logged = log.filter((_, i) => i % 2 === 0).reduce((n, m) => n + Number(m.split(":")[1]), 0);
    expect(logged + Number(open)).toBe(60);
    expect(Number(minute)).toBe(60);
    expect(Number(tokens)).toBe(180);
    // Every request settled: no instance has any in flight, and the counts are gone.
    expect(await limiter.redis.exists(`${base}c`)).toBe(0);
    // The hash and the minute log exist by now (the others may still be open slots): both expire.
    for (const name of ["h", "m"]) {
      const ttl = await limiter.redis.pttl(`${base}${name}`);
      expect(ttl, name).toBeGreaterThan(86_400_000);
    }
  });

  it("drops log entries once they leave the window, and the count with them", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const limiter = await make(prefix);
    const base = `${prefix}rl3:{key_prune}:`;
    expect((await burst(limiter, "key_prune", { rpm: 5 }, 3)).filter((r) => r.ok)).toHaveLength(3);
    // Two more booked 61 s ago: a log entry outside the window, still in the sum and the oldest.
    const [seconds, micros] = await limiter.redis.time();
    const old = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - 61_000;
    await limiter.redis.zadd(`${base}m`, old, `${old}:2`);
    await limiter.redis.hset(`${base}h`, "mo", old);
    await limiter.redis.hincrby(`${base}h`, "m", 2);
    const next = await burst(limiter, "key_prune", { rpm: 5 }, 4);
    expect(next.filter((r) => r.ok)).toHaveLength(2);
    expect(await limiter.redis.zscore(`${base}m`, `${old}:2`)).toBeNull();
    expect(Number(await limiter.redis.hget(`${base}h`, "m"))).toBe(5);
  });

  it("starts a key's windows afresh, logs included, when its state hash is gone", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const limiter = await make(prefix);
    const base = `${prefix}rl3:{key_lost}:`;
    expect((await burst(limiter, "key_lost", { rpm: 4 }, 4)).filter((r) => r.ok)).toHaveLength(4);
    await new Promise((r) => setTimeout(r, 20));
    expect((await burst(limiter, "key_lost", { rpm: 4 }, 1)).filter((r) => r.ok)).toHaveLength(0);
    // Evicted or deleted: a log without its sums would be miscounted, so it goes too.
    expect(await limiter.redis.zcard(`${base}m`)).toBe(1);
    await limiter.redis.del(`${base}h`);
    expect((await burst(limiter, "key_lost", { rpm: 4 }, 6)).filter((r) => r.ok)).toHaveLength(4);
    expect(Number(await limiter.redis.hget(`${base}h`, "m"))).toBe(4);
    // The new four are the open slot; the old entry is gone rather than waiting to be subtracted.
    expect(await limiter.redis.zcard(`${base}m`)).toBe(0);
  });

  it("holds the spend cap across a batch: overshoot at most one reservation", async () => {
    const limiter = await make();
    // Cap 1 USD, reservations of 0.3 USD: 0, 0.3, 0.6, 0.9 are below the cap, so 4 get in.
    const results = await burst(limiter, "key_spend", { spendCapUsd: 1 }, 100, 300_000_000);
    expect(results.filter((r) => r.ok)).toHaveLength(4);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.limit === "spend")).toBe(true);
    expect(await limiter.spent("key_spend", { ...NO_LIMITS, spendCapUsd: 1 })).toBe(1_200_000_000);
  });

  it("counts an instance's requests in flight while it calls for the key, and drops them once it is silent for the slot TTL", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const a = await make(prefix, undefined, 300);
    const b = await make(prefix, undefined, 300);
    const limits = { maxConcurrent: 3 };
    expect(tickets(await burst(a, "key_live", limits, 2))).toHaveLength(2);
    await new Promise((r) => setTimeout(r, 400));
    // A calls again: its two are still running and count with the new one; B gets nothing.
    expect(tickets(await burst(a, "key_live", limits, 1))).toHaveLength(1);
    expect(tickets(await burst(b, "key_live", limits, 2))).toHaveLength(0);
    // A goes silent (as if it crashed with three requests open): after the TTL B may use the slots.
    await new Promise((r) => setTimeout(r, 400));
    const later = await burst(b, "key_live", limits, 4);
    expect(tickets(later)).toHaveLength(3);
    expect(later.filter((r) => !r.ok).every((r) => !r.ok && r.limit === "max_concurrent")).toBe(true);
  });

  it("books amounts past 14 digits exactly (Lua would print them as 1e+14)", async () => {
    const limiter = await make();
    const limits = { ...NO_LIMITS, spendCapUsd: 10_000_000 };
    // 300,000.000000007 USD: 15 digits of nano-USD, plus a settle that takes 7 back.
    const [admitted] = await burst(limiter, "key_big", limits, 1, 300_000_000_000_007);
    expect(admitted?.ok).toBe(true);
    expect(await limiter.spent("key_big", limits)).toBe(300_000_000_000_007);
    if (admitted?.ok) limiter.settle(admitted.ticket, { costNanos: 300_000_000_000_000, tokens: 0 });
    await limiter.settled();
    expect(await limiter.spent("key_big", limits)).toBe(300_000_000_000_000);
  });

  it("books settles issued in the same turn as admits first, so a freed slot is free for them", async () => {
    const limiter = await make();
    const limits = { maxConcurrent: 1 };
    const [first] = tickets(await burst(limiter, "key_slot", limits, 1));
    if (!first) throw new Error("first request refused");
    limiter.settle(first, { costNanos: 0, tokens: 0 });
    const [next] = await burst(limiter, "key_slot", limits, 1);
    await limiter.settled();
    expect(next?.ok).toBe(true);
  });

  it("sums a key's waiting settles into one: forty requests' ends cost one script call, booked exactly", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const limits = { maxConcurrent: 40, tpm: 1_000_000, spendCapUsd: 100 };
    const limiter = await make(prefix, undefined, undefined, false);
    const admitted = tickets(await burst(limiter, "key_sum", limits, 40, 1_000_000_000));
    expect(admitted).toHaveLength(40);
    const counter = countScriptCalls(limiter);
    for (const t of admitted) limiter.settle(t, { costNanos: 100_000_000, tokens: 10 });
    await limiter.settled();
    expect(counter.calls).toBe(1);
    await expectAllBooked(limiter, "key_sum", limits, 40);
  });

  it("heals its count of requests in flight with its next call when a call was lost on the way", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const limits = { maxConcurrent: 5 };
    const limiter = await make(prefix, undefined, undefined, false);
    const admitted = tickets(await burst(limiter, "key_heal", limits, 3));
    expect(admitted).toHaveLength(3);
    // As if settles (or a lease given back) had been lost to an outage: Redis counts 50 for it.
    const counts = `${prefix}rl3:{key_heal}:c`;
    const [field] = Object.keys(await limiter.redis.hgetall(counts)).filter((f) => !f.endsWith("@"));
    if (!field) throw new Error("no count for this instance");
    await limiter.redis.hset(counts, field, "50");
    limiter.settle(admitted[0] as Ticket, { costNanos: 0, tokens: 0 });
    // The next call says 2 are held: with this admission, 3 of 5.
    const [next] = await burst(limiter, "key_heal", limits, 1);
    expect(next?.ok).toBe(true);
    expect(await limiter.redis.hget(counts, field)).toBe("3");
    for (const t of [...admitted.slice(1), ...tickets(next ? [next] : [])]) {
      limiter.settle(t, { costNanos: 0, tokens: 0 });
    }
    await limiter.settled();
    expect(await limiter.redis.hget(counts, field)).toBeNull();
  });

  it("sends settles still queued at shutdown: no slot, token or reservation is lost", async () => {
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const limits = { maxConcurrent: 20, tpm: 1_000_000, spendCapUsd: 100 };
    const first = await make(prefix);
    const admitted = tickets(await burst(first, "key_close", limits, 20, 1_000_000_000));
    expect(admitted).toHaveLength(20);
    // Settled without awaiting, then closed at once, as a gateway does on SIGTERM.
    for (const t of admitted) first.settle(t, { costNanos: 100_000_000, tokens: 10 });
    await first.close();

    await expectAllBooked(await make(prefix), "key_close", limits, 20);
  });

  it("seeds a missing spend counter once for a whole batch", async () => {
    await fx
      .store()
      .insertUsageEvents([
        usageEvent({ requestId: `req_seed_${++seq}`, keyId: "key_seed_batch", costUsd: 0.5 }),
      ]);
    const limiter = await make();
    // Recorded 0.5 USD, cap 1 USD, reservations of 0.2: 0.5, 0.7, 0.9 are below the cap.
    const results = await burst(limiter, "key_seed_batch", { spendCapUsd: 1 }, 30, 200_000_000);
    expect(results.filter((r) => r.ok)).toHaveLength(3);
  });

  it("reports settles lost to an unreachable Redis, counted, instead of throwing at the caller", async () => {
    const lost: number[] = [];
    const limiter = new RedisLimiter({
      url: "redis://127.0.0.1:1",
      prefix: "x:",
      store: fx.store(),
      onSettleError: (_err, settles) => lost.push(settles),
    });
    await limiter.connect(() => {});
    try {
      const booking = { base: "x:rl3:{k}:", spendKey: "x:spend:{k}:total", slot: true, tokens: false };
      for (let i = 0; i < 3; i++) {
        limiter.settle(
          { keyId: "k", requestId: `r${i}`, reserveNanos: 0, booking },
          { costNanos: 0, tokens: 0 },
        );
      }
      await limiter.settled();
      expect(lost).toEqual([3]);
    } finally {
      await limiter.close();
    }
  });

  it("rejects every admit of a batch when Redis is unreachable (the caller's policy decides)", async () => {
    const limiter = new RedisLimiter({ url: "redis://127.0.0.1:1", prefix: "x:", store: fx.store() });
    await limiter.connect(() => {});
    try {
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, (_, i) =>
          limiter.admit({
            keyId: "k",
            limits: { ...NO_LIMITS, rpm: 5 },
            requestId: `r${i}`,
            reserveNanos: 0,
          }),
        ),
      );
      expect(results.every((r) => r.status === "rejected")).toBe(true);
    } finally {
      await limiter.close();
    }
  });
});
