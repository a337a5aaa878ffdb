import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import type { KeyLimits, Store } from "../store/types.js";
import { KeyBatcher } from "./key-batcher.js";
import { LIMIT_LUA, SEED_LUA } from "./lua.js";
import {
  admitResults,
  type Booking,
  needsSeed,
  type SettleSum,
  sameLimits,
  scriptArgs,
} from "./redis-script.js";
import {
  type AdmitInput,
  type AdmitResult,
  DAY_MS,
  type Limiter,
  monthStart,
  type Settlement,
  spendBucket,
  type Ticket,
  toNanos,
} from "./types.js";

interface LimitCommands {
  meshLimit(...args: (string | number)[]): Promise<number[]>;
  meshSeed(...args: (string | number)[]): Promise<string>;
}

export interface RedisLimiterOptions {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix: string;
  store: Store;
  /**
   * An instance that has made no call for a key for this long (crashed, or cut off from Redis) stops
   * counting against that key's max_concurrent: its requests' slots come back.
   */
  slotTtlMs?: number;
  /** Most requests per script call (Lua's argument stack is finite). */
  maxBatch?: number;
  /**
   * How long a settle may wait to ride along with the key's next admission instead of costing a call
   * of its own (default 5 ms). Meanwhile its slot and reservation stay booked (stricter, never looser)
   * and its tokens are not yet counted against tpm.
   */
  settleDelayMs?: number;
}

interface PendingAdmit {
  settle: false;
  input: AdmitInput;
  resolve: (result: AdmitResult) => void;
  reject: (err: unknown) => void;
}

interface PendingSettle {
  settle: true;
  ticket: Ticket;
  tokens: number;
  delta: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

type Pending = PendingAdmit | PendingSettle;

/**
 * The shared limiter: windows, slots and spend live in Redis and are checked and booked by a Lua
 * script, so the limits hold across any number of gateway processes. What one key's requests ask of
 * the limiter in one event-loop turn — settles of requests that ended, admits of new ones — goes to
 * Redis as one script call, which books the admits one after the other exactly as single calls
 * would: the limits stay exact, while Redis and the gateway do a fraction of the work per request.
 * A spend counter that Redis does not have yet (first use, or Redis lost its data) is seeded once
 * from the recorded usage.
 */
export class RedisLimiter implements Limiter {
  readonly kind = "redis";
  readonly redis: Redis & LimitCommands;
  private readonly slotTtlMs: number;
  /** Names this process's count of requests in flight in Redis (per key). */
  private readonly instance = randomBytes(6).toString("hex");
  /** Shutdown drains it, so no settle (slot, reservation) is lost. */
  private readonly batcher: KeyBatcher<Pending>;

  constructor(private readonly options: RedisLimiterOptions) {
    // No offline queue: while Redis is down, calls fail at once and the configured policy decides,
    // instead of requests piling up behind a reconnect.
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      // No auto-pipelining: it would put several keys' calls of one turn into one write, but builds a
      // Pipeline object per turn, which measured ~30 % more client CPU per call than a write per call,
      // even with eight keys busy at once (calls per key are already batched by KeyBatcher).
      enableAutoPipelining: false,
    });
    redis.defineCommand("meshLimit", { numberOfKeys: 6, lua: LIMIT_LUA });
    redis.defineCommand("meshSeed", { numberOfKeys: 1, lua: SEED_LUA });
    this.redis = redis as Redis & LimitCommands;
    this.slotTtlMs = options.slotTtlMs ?? 15 * 60_000;
    this.batcher = new KeyBatcher(
      (keyId, batch) => this.send(keyId, batch),
      options.maxBatch ?? 500,
      options.settleDelayMs ?? 5,
    );
  }

  /** Connects; a failure is reported but not fatal (the client keeps reconnecting in the background). */
  async connect(onError: (err: unknown) => void): Promise<void> {
    this.redis.on("error", onError);
    await this.redis.connect().catch(onError);
  }

  private spendKey(keyId: string, limits: KeyLimits, now: number): string {
    return `${this.options.prefix}spend:{${keyId}}:${spendBucket(limits, now)}`;
  }

  admit(input: AdmitInput): Promise<AdmitResult> {
    return new Promise((resolve, reject) =>
      this.batcher.add(input.keyId, { settle: false, input, resolve, reject }),
    );
  }

  settle(ticket: Ticket, s: Settlement): Promise<void> {
    const booking = ticket.booking as Booking;
    // Lazy: it rides along with the key's next admission (see settleDelayMs).
    return new Promise((resolve, reject) =>
      this.batcher.add(
        ticket.keyId,
        {
          settle: true,
          ticket,
          tokens: booking.tokens ? Math.max(0, Math.round(s.tokens)) : 0,
          delta: s.costNanos - ticket.reserveNanos,
          resolve,
          reject,
        },
        false,
      ),
    );
  }

  /**
   * One key's turn: a script call per run of admits that share the same limits, the settles of the
   * same spend counter riding along (booked before the admits, so a freed slot is free for them);
   * settles of another counter (a month just ended) go first, on their own.
   */
  private send(keyId: string, batch: Pending[]): Promise<unknown> {
    const admits: PendingAdmit[] = [];
    const settles = new Map<string, PendingSettle[]>();
    for (const p of batch) {
      if (!p.settle) admits.push(p);
      else {
        const key = (p.ticket.booking as Booking).spendKey;
        const group = settles.get(key);
        if (group) group.push(p);
        else settles.set(key, [p]);
      }
    }
    const runs: { limits: KeyLimits; booking: Booking; run: PendingAdmit[]; settles?: PendingSettle[] }[] =
      [];
    const base = `${this.options.prefix}rl3:{${keyId}}:`;
    const now = Date.now();
    for (let start = 0, i = 1; i <= admits.length; i++) {
      const first = admits[start] as PendingAdmit;
      const next = admits[i];
      if (next && sameLimits(first.input.limits, next.input.limits)) continue;
      const limits = first.input.limits;
      const spendKey = this.spendKey(keyId, limits, now);
      const booking = { base, spendKey, slot: limits.maxConcurrent !== null, tokens: limits.tpm !== null };
      const run = start === 0 && i === admits.length ? admits : admits.slice(start, i);
      const riding = settles.get(spendKey);
      settles.delete(spendKey);
      runs.push(riding ? { limits, booking, run, settles: riding } : { limits, booking, run });
      start = i;
    }
    const calls: Promise<unknown>[] = [];
    for (const group of settles.values()) {
      const booking = (group[0] as PendingSettle).ticket.booking as Booking;
      calls.push(this.call(booking, undefined, group, []));
    }
    for (const r of runs) {
      calls.push(
        this.admitRun(keyId, r.limits, r.booking, r.run, r.settles).catch((err) => {
          for (const p of r.run) p.reject(err);
        }),
      );
    }
    return calls.length === 1 ? (calls[0] as Promise<unknown>) : Promise.allSettled(calls);
  }

  private async admitRun(
    keyId: string,
    limits: KeyLimits,
    booking: Booking,
    run: PendingAdmit[],
    settles: PendingSettle[] | undefined,
  ): Promise<void> {
    const inputs = run.map((p) => p.input);
    let reply = await this.call(booking, limits, settles, inputs);
    if (needsSeed(reply)) {
      // Nothing was admitted (the settles were booked): seed, then admit again without them.
      await this.seed(keyId, limits, booking.spendKey);
      reply = await this.call(booking, limits, undefined, inputs);
      if (needsSeed(reply)) throw new Error("the spend counter vanished right after seeding");
    }
    const results = admitResults(reply, limits, booking, inputs);
    for (let i = 0; i < run.length; i++) (run[i] as PendingAdmit).resolve(results[i] as AdmitResult);
  }

  /** One script call; the settles riding on it are resolved (or rejected) with it. */
  private call(
    booking: Booking,
    limits: KeyLimits | undefined,
    settles: PendingSettle[] | undefined,
    inputs: readonly AdmitInput[],
  ): Promise<number[]> {
    const reply = this.redis.meshLimit(
      ...scriptArgs(booking, limits, this.slotTtlMs, this.instance, settles && sum(settles), inputs),
    );
    if (settles === undefined) return reply;
    reply.then(
      () => {
        for (const p of settles) p.resolve();
      },
      (err) => {
        for (const p of settles) p.reject(err);
      },
    );
    return reply;
  }

  async spent(keyId: string, limits: KeyLimits): Promise<number> {
    const value = await this.redis.get(this.spendKey(keyId, limits, Date.now()));
    return value === null ? 0 : Number(value);
  }

  async close(): Promise<void> {
    // Settles (and admits) still waiting go out now; wait for Redis to have booked all of them.
    const deadline = new Promise((r) => setTimeout(r, 2_000).unref());
    await Promise.race([this.batcher.drain(), deadline]);
    if (this.redis.status === "ready") await this.redis.quit().catch(() => {});
    this.redis.disconnect();
  }

  /** Seeds a missing spend counter from the usage already recorded for its period. */
  private async seed(keyId: string, limits: KeyLimits, key: string): Promise<void> {
    const now = Date.now();
    const since = limits.spendPeriod === "month" ? monthStart(now) : 0;
    const usd = (await this.options.store.spendByKey(since, keyId)).get(keyId) ?? 0;
    // Monthly counters outlive their month by a few days, then go.
    const ttl = limits.spendPeriod === "month" ? 40 * DAY_MS : 0;
    await this.redis.meshSeed(key, toNanos(usd), ttl);
  }
}

/** What a group of settles books, summed: their tokens, one spend increment, the freed slots. */
function sum(settles: readonly PendingSettle[]): SettleSum {
  const s: SettleSum = { delta: 0, tokens: 0, freed: 0 };
  for (const p of settles) {
    s.delta += p.delta;
    if ((p.ticket.booking as Booking).slot) s.freed++;
    s.tokens += p.tokens;
  }
  return s;
}
