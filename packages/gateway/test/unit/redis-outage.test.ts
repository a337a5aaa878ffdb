import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisLimiter } from "../../src/limits/redis-limiter.js";
import type { AdmitResult, Ticket } from "../../src/limits/types.js";
import { type KeyLimits, NO_LIMITS } from "../../src/store/types.js";
import { createTestRedis, redisSkipNote } from "../helpers/redis.js";
import { countScriptCalls, redisLimiterFixture } from "../helpers/redis-limiters.js";
import { startTcpProxy, type TcpProxy } from "../helpers/tcp-proxy.js";

const redisEnv = createTestRedis("outage");
if (!redisEnv) console.warn(redisSkipNote);

/** Cap 1 USD, reservations of 0.01, actual cost 0.001: a settle moves the spend counter by −0.009. */
const LIMITS: KeyLimits = { ...NO_LIMITS, rpm: 1000, maxConcurrent: 100, spendCapUsd: 1 };
const RESERVE = 10_000_000;
const COST = 1_000_000;

describe.skipIf(!redisEnv)("shared limits across a Redis outage (real Redis behind a TCP proxy)", () => {
  const fx = redisLimiterFixture(redisEnv as NonNullable<typeof redisEnv>, "outage");
  let proxy: TcpProxy;
  let direct: Redis;
  let seq = 0;

  beforeAll(async () => {
    const url = new URL(redisEnv?.url ?? "");
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port || 6379) });
    direct = new Redis(redisEnv?.url ?? "");
  });
  afterAll(async () => {
    direct?.disconnect();
    await proxy?.close();
  });

  const through = async (lost: number[] = []) => {
    const url = new URL(redisEnv?.url ?? "");
    url.host = `127.0.0.1:${proxy.port}`;
    const prefix = `${redisEnv?.prefix}${++seq}:`;
    const limiter = new RedisLimiter({
      url: url.toString(),
      prefix,
      store: fx.store(),
      leases: false,
      onSettleError: (_err, n) => lost.push(n),
    });
    await limiter.connect(() => {});
    prefixes.set(limiter, prefix);
    return fx.track(limiter);
  };
  /** Each limiter's key prefix, to read what it booked straight from Redis. */
  const prefixes = new WeakMap<RedisLimiter, string>();
  const until = async (what: string, check: () => boolean | Promise<boolean>, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  const admitAll = async (limiter: RedisLimiter, keyId: string, n: number): Promise<Ticket[]> => {
    const results = await Promise.all(
      Array.from(
        { length: n },
        (_, i) =>
          limiter.admit({
            keyId,
            limits: LIMITS,
            requestId: `r${i}`,
            reserveNanos: RESERVE,
          }) as Promise<AdmitResult>,
      ),
    );
    return results.map((r) => {
      if (!r.ok) throw new Error(`refused: ${r.limit}`);
      return r.ticket;
    });
  };
  const spend = async (limiter: RedisLimiter, keyId: string) =>
    Number(await direct.get(`${prefixes.get(limiter)}spend:{${keyId}}:total`));
  const inFlight = async (limiter: RedisLimiter, keyId: string) => {
    const counts = await direct.hgetall(`${prefixes.get(limiter)}rl3:{${keyId}}:c`);
    return Object.entries(counts)
      .filter(([field]) => !field.endsWith("@"))
      .reduce((n, [, v]) => n + Number(v), 0);
  };

  it("keeps the settles it could not send while Redis is unreachable, and books them once it is back", async () => {
    const lost: number[] = [];
    const limiter = await through(lost);
    const tickets = await admitAll(limiter, "key_down", 3);
    expect(await spend(limiter, "key_down")).toBe(3 * RESERVE);
    expect(await inFlight(limiter, "key_down")).toBe(3);

    proxy.down();
    await until("the connection to drop", () => limiter.redis.status !== "ready");
    for (const t of tickets) limiter.settle(t, { costNanos: COST, tokens: 10 });
    // Several retries' worth of time with Redis unreachable: nothing booked, nothing given up.
    await new Promise((r) => setTimeout(r, 1200));
    expect(await spend(limiter, "key_down")).toBe(3 * RESERVE);
    expect(lost).toEqual([]);

    proxy.up();
    await until("the settles to be booked", async () => (await spend(limiter, "key_down")) === 3 * COST);
    expect(await inFlight(limiter, "key_down")).toBe(0);
    // Booked once: later retries (there must be none left) would move the counter again.
    await new Promise((r) => setTimeout(r, 700));
    expect(await spend(limiter, "key_down")).toBe(3 * COST);
    expect(lost).toEqual([]);
  });

  it("sends a call again whose answer was lost after Redis ran it, and Redis books it once", async () => {
    const lost: number[] = [];
    const limiter = await through(lost);
    const [ticket] = await admitAll(limiter, "key_cut_reply", 1);
    const counter = countScriptCalls(limiter);
    proxy.cutNextReply();
    limiter.settle(ticket as Ticket, { costNanos: COST, tokens: 0 });
    // Redis ran the call; only its answer was lost, so the limiter cannot tell and sends it again.
    await until("the reconnect", () => limiter.redis.status === "ready");
    await new Promise((r) => setTimeout(r, 900));
    // Sent twice, booked once (twice, the counter would read 2 × COST − RESERVE).
    expect(counter.calls).toBe(2);
    expect(await spend(limiter, "key_cut_reply")).toBe(COST);
    expect(await inFlight(limiter, "key_cut_reply")).toBe(0);
    expect(lost).toEqual([]);
  });

  it("sends a call again that was lost on its way, and Redis books it", async () => {
    const lost: number[] = [];
    const limiter = await through(lost);
    const [ticket] = await admitAll(limiter, "key_cut_request", 1);
    proxy.cutNextRequest();
    limiter.settle(ticket as Ticket, { costNanos: COST, tokens: 0 });
    await until("the settle to be booked", async () => (await spend(limiter, "key_cut_request")) === COST);
    expect(await inFlight(limiter, "key_cut_request")).toBe(0);
    expect(lost).toEqual([]);
  });

  it("gives up settles still unsent at shutdown, and reports them", async () => {
    const lost: number[] = [];
    const limiter = await through(lost);
    const tickets = await admitAll(limiter, "key_close", 2);
    proxy.down();
    await until("the connection to drop", () => limiter.redis.status !== "ready");
    for (const t of tickets) limiter.settle(t, { costNanos: COST, tokens: 0 });
    await new Promise((r) => setTimeout(r, 100));
    expect(lost).toEqual([]);
    await limiter.close();
    expect(lost).toEqual([2]);
    proxy.up();
  });
});
