import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisHealth } from "../../src/routing/redis-health.js";
import { createTestRedis, redisSkipNote } from "../helpers/redis.js";

const redis = createTestRedis("health");
if (!redis) console.warn(redisSkipNote);

const policy = { failures: 2, windowMs: 60_000, cooldownMs: 200, maxCooldownMs: 5_000 };

async function until(condition: () => boolean, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe.skipIf(!redis)("RedisHealth (shared breakers)", () => {
  let a: RedisHealth;
  let b: RedisHealth;
  const errors: unknown[] = [];
  beforeAll(async () => {
    const options = {
      url: redis?.url as string,
      prefix: redis?.prefix as string,
      policy,
      onError: (e: unknown) => errors.push(e),
    };
    a = await RedisHealth.open(options);
    b = await RedisHealth.open(options);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.drop();
  });

  it("counts failures of every instance: one at each trips the breaker for both", async () => {
    a.failed("d1", { probe: false });
    expect(a.standing("d1")).toBe("up");
    b.failed("d1", { probe: false });
    await until(() => a.standing("d1") === "cooling" && b.standing("d1") === "cooling");
    expect(errors).toEqual([]);
  });

  it("lets exactly one instance probe once the cooldown is over; its success restores the deployment everywhere", async () => {
    await until(() => a.standing("d1") === "probe" && b.standing("d1") === "probe");
    const [wonA, wonB] = await Promise.all([a.claimProbe("d1"), b.claimProbe("d1")]);
    expect([wonA, wonB].filter(Boolean)).toHaveLength(1);
    const winner = wonA ? a : b;
    const loser = wonA ? b : a;
    expect(loser.standing("d1")).toBe("cooling");
    winner.succeeded("d1");
    await until(() => loser.standing("d1") === "up");
    expect(winner.standing("d1")).toBe("up");
  });

  it("a Retry-After reaches the other instance at once, for that long", async () => {
    a.failed("d2", { probe: false, retryAfterMs: 1_500 });
    await until(() => b.standing("d2") === "cooling");
    expect(b.coolingFor("d2")).toBeGreaterThan(1_000);
  });
});

describe("RedisHealth with Redis unreachable", () => {
  it("keeps working on the instance's own view, and reports the errors", async () => {
    const errors: unknown[] = [];
    const h = await RedisHealth.open({
      url: "redis://127.0.0.1:1",
      prefix: "x:",
      policy,
      onError: (e) => errors.push(e),
    });
    try {
      h.failed("d", { probe: false });
      h.failed("d", { probe: false });
      expect(h.standing("d")).toBe("cooling");
      await until(() => h.standing("d") === "probe");
      expect(await h.claimProbe("d")).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await h.close();
    }
  });
});
