import { Redis } from "ioredis";
import type { KeyLimits, Store } from "../store/types.js";
import { ADMIT_LUA, SEED_LUA, SETTLE_LUA } from "./lua.js";
import { admitArgs, admitResults, type Booking, needsSeed, sameLimits } from "./redis-admit.js";
import { TickBatcher } from "./tick-batcher.js";
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
  meshAdmit(...args: (string | number)[]): Promise<number[]>;
  meshSettle(...args: (string | number)[]): Promise<number>;
  meshSeed(...args: (string | number)[]): Promise<string>;
}

export interface RedisLimiterOptions {
  url: string;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  prefix: string;
  store: Store;
  /** A crashed instance's concurrency slots are freed after this long. */
  slotTtlMs?: number;
  /** Most requests per script call (Lua's argument stack is finite). */
  maxBatch?: number;
}

interface PendingAdmit {
  input: AdmitInput;
  resolve: (result: AdmitResult) => void;
  reject: (err: unknown) => void;
}

interface PendingSettle {
  ticket: Ticket;
  tokens: number;
  delta: number;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * The shared limiter: windows, slots and spend live in Redis and are checked and booked by Lua
 * scripts, so the limits hold across any number of gateway processes. Admits (and, separately,
 * settles) of one key that arrive in the same event-loop turn go to Redis as one script call, which
 * books them one after the other exactly as single calls would: the limits stay exact, while Redis
 * and the gateway do a fraction of the work per request. A spend counter that Redis does not have yet
 * (first use, or Redis lost its data) is seeded once from the recorded usage.
 */
export class RedisLimiter implements Limiter {
  readonly kind = "redis";
  readonly redis: Redis & LimitCommands;
  private readonly slotTtlMs: number;
  private readonly admits: TickBatcher<PendingAdmit>;
  private readonly settles: TickBatcher<PendingSettle>;
  /** Settle calls on their way to Redis; shutdown waits for them so no slot or reservation leaks. */
  private readonly settling = new Set<Promise<unknown>>();

  constructor(private readonly options: RedisLimiterOptions) {
    // No offline queue: while Redis is down, calls fail at once and the configured policy decides,
    // instead of requests piling up behind a reconnect.
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      // An admit batch and a settle batch of the same turn go out in one write.
      enableAutoPipelining: true,
    });
    redis.defineCommand("meshAdmit", { numberOfKeys: 6, lua: ADMIT_LUA });
    redis.defineCommand("meshSettle", { numberOfKeys: 4, lua: SETTLE_LUA });
    redis.defineCommand("meshSeed", { numberOfKeys: 1, lua: SEED_LUA });
    this.redis = redis as Redis & LimitCommands;
    this.slotTtlMs = options.slotTtlMs ?? 15 * 60_000;
    const maxBatch = options.maxBatch ?? 500;
    this.admits = new TickBatcher((keyId, batch) => this.sendAdmits(keyId, batch), maxBatch);
    this.settles = new TickBatcher((spendKey, batch) => this.sendSettles(spendKey, batch), maxBatch);
  }

  /** Connects; a failure is reported but not fatal (the client keeps reconnecting in the background). */
  async connect(onError: (err: unknown) => void): Promise<void> {
    this.redis.on("error", onError);
    await this.redis.connect().catch(onError);
  }

  private base(keyId: string): string {
    return `${this.options.prefix}rl:{${keyId}}:`;
  }

  private spendKey(keyId: string, limits: KeyLimits, now: number): string {
    return `${this.options.prefix}spend:{${keyId}}:${spendBucket(limits, now)}`;
  }

  admit(input: AdmitInput): Promise<AdmitResult> {
    return new Promise((resolve, reject) => this.admits.add(input.keyId, { input, resolve, reject }));
  }

  /** One key's admits of this turn: a script call per run of requests that share the same limits. */
  private sendAdmits(keyId: string, batch: PendingAdmit[]): void {
    let start = 0;
    for (let i = 1; i <= batch.length; i++) {
      const first = batch[start] as PendingAdmit;
      const next = batch[i];
      if (next && sameLimits(first.input.limits, next.input.limits)) continue;
      const run = start === 0 && i === batch.length ? batch : batch.slice(start, i);
      this.admitRun(keyId, first.input.limits, run).catch((err) => {
        for (const p of run) p.reject(err);
      });
      start = i;
    }
  }

  private async admitRun(keyId: string, limits: KeyLimits, run: PendingAdmit[]): Promise<void> {
    const booking: Booking = {
      base: this.base(keyId),
      spendKey: this.spendKey(keyId, limits, Date.now()),
      slot: limits.maxConcurrent !== null,
      tokens: limits.tpm !== null,
    };
    const inputs = run.map((p) => p.input);
    const args = admitArgs(booking, limits, this.slotTtlMs, inputs);
    let reply = await this.redis.meshAdmit(...args);
    if (needsSeed(reply)) {
      await this.seed(keyId, limits, booking.spendKey);
      reply = await this.redis.meshAdmit(...args);
      if (needsSeed(reply)) throw new Error("the spend counter vanished right after seeding");
    }
    const results = admitResults(reply, limits, booking, inputs);
    for (let i = 0; i < run.length; i++) (run[i] as PendingAdmit).resolve(results[i] as AdmitResult);
  }

  settle(ticket: Ticket, s: Settlement): Promise<void> {
    const booking = ticket.booking as Booking;
    return new Promise((resolve, reject) =>
      this.settles.add(booking.spendKey, {
        ticket,
        tokens: booking.tokens ? Math.max(0, Math.round(s.tokens)) : 0,
        delta: s.costNanos - ticket.reserveNanos,
        resolve,
        reject,
      }),
    );
  }

  /** One spend counter's settles of this turn (all of one key): slots freed, tokens and cost booked. */
  private sendSettles(spendKey: string, batch: PendingSettle[]): void {
    const { base } = (batch[0] as PendingSettle).ticket.booking as Booking;
    let delta = 0;
    let tokens = 0;
    const slots: string[] = [];
    const entries: string[] = [];
    for (const p of batch) {
      delta += p.delta;
      if ((p.ticket.booking as Booking).slot) slots.push(p.ticket.requestId);
      if (p.tokens > 0) {
        tokens += p.tokens;
        entries.push(`${p.ticket.requestId}:${p.tokens}`);
      }
    }
    if (slots.length === 0 && entries.length === 0 && delta === 0) {
      for (const p of batch) p.resolve();
      return;
    }
    const args: (string | number)[] = [`${base}t`, `${base}ts`, `${base}c`, spendKey, delta, slots.length];
    for (const id of slots) args.push(id);
    if (entries.length > 0) {
      for (const e of entries) args.push(e);
      args.push(tokens);
    }
    const call = this.redis.meshSettle(...args).then(
      () => {
        for (const p of batch) p.resolve();
      },
      (err) => {
        for (const p of batch) p.reject(err);
      },
    );
    this.settling.add(call);
    void call.finally(() => this.settling.delete(call));
  }

  async spent(keyId: string, limits: KeyLimits): Promise<number> {
    const value = await this.redis.get(this.spendKey(keyId, limits, Date.now()));
    return value === null ? 0 : Number(value);
  }

  async close(): Promise<void> {
    // Settles (and admits) still waiting for the next turn go out now, then we wait for the replies.
    this.admits.flush();
    this.settles.flush();
    const deadline = new Promise((r) => setTimeout(r, 2_000).unref());
    await Promise.race([Promise.allSettled([...this.settling]), deadline]);
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
