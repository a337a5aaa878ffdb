import { Redis } from "ioredis";
import type { KeyLimits, Store } from "../store/types.js";
import { ADMIT_LUA, SEED_LUA, SETTLE_LUA } from "./lua.js";
import {
  type AdmitInput,
  type AdmitResult,
  DAY_MS,
  type Limiter,
  type LimitName,
  monthStart,
  type RateInfo,
  type Settlement,
  spendBucket,
  type Ticket,
  toNanos,
} from "./types.js";

type Reply = [string, number, number, number, number, number, number, number];

interface LimitCommands {
  meshAdmit(...args: (string | number)[]): Promise<Reply>;
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
}

interface Booking {
  tokens: boolean;
  spendKey: string;
}

/**
 * The shared limiter: windows, slots and spend live in Redis and are checked and booked by one Lua
 * script per request, so the limits hold across any number of gateway processes. A spend counter that
 * Redis does not have yet (first use, or Redis lost its data) is seeded once from the recorded usage.
 */
export class RedisLimiter implements Limiter {
  readonly kind = "redis";
  readonly redis: Redis & LimitCommands;
  private readonly slotTtlMs: number;
  /** Settles still on their way to Redis; shutdown waits for them so no slot or reservation leaks. */
  private readonly settling = new Set<Promise<unknown>>();

  constructor(private readonly options: RedisLimiterOptions) {
    // No offline queue: while Redis is down, calls fail at once and the configured policy decides,
    // instead of requests piling up behind a reconnect.
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      connectTimeout: 2_000,
      // Concurrent admits and settles of one tick go out in one write: fewer syscalls under load.
      enableAutoPipelining: true,
    });
    redis.defineCommand("meshAdmit", { numberOfKeys: 6, lua: ADMIT_LUA });
    redis.defineCommand("meshSettle", { numberOfKeys: 4, lua: SETTLE_LUA });
    redis.defineCommand("meshSeed", { numberOfKeys: 1, lua: SEED_LUA });
    this.redis = redis as Redis & LimitCommands;
    this.slotTtlMs = options.slotTtlMs ?? 15 * 60_000;
  }

  /** Connects; a failure is reported but not fatal (the client keeps reconnecting in the background). */
  async connect(onError: (err: unknown) => void): Promise<void> {
    this.redis.on("error", onError);
    await this.redis.connect().catch(onError);
  }

  private keysOf(keyId: string, limits: KeyLimits, now: number): string[] {
    const p = `${this.options.prefix}rl:{${keyId}}:`;
    return [`${p}m`, `${p}d`, `${p}t`, `${p}ts`, `${p}c`, this.spendKey(keyId, limits, now)];
  }

  private spendKey(keyId: string, limits: KeyLimits, now: number): string {
    return `${this.options.prefix}spend:{${keyId}}:${spendBucket(limits, now)}`;
  }

  async admit(input: AdmitInput): Promise<AdmitResult> {
    const { limits } = input;
    const keys = this.keysOf(input.keyId, limits, Date.now());
    const args = [
      ...keys,
      limits.rpm ?? -1,
      limits.rpd ?? -1,
      limits.tpm ?? -1,
      limits.maxConcurrent ?? -1,
      limits.spendCapUsd === null ? -1 : toNanos(limits.spendCapUsd),
      input.reserveNanos,
      input.requestId,
      this.slotTtlMs,
    ];
    let reply = await this.redis.meshAdmit(...args);
    if (reply[0] === "seed") {
      await this.seed(input.keyId, limits, keys[5] as string);
      reply = await this.redis.meshAdmit(...args);
    }
    const [status, retryAfterMs, minute, minuteReset, day, dayReset, tokens, tokenReset] = reply;
    const info: RateInfo = {};
    if (limits.rpm !== null) {
      info.limitRequests = limits.rpm;
      info.remainingRequests = Math.max(0, limits.rpm - minute);
      info.resetRequestsMs = minuteReset;
    } else if (limits.rpd !== null) {
      info.limitRequests = limits.rpd;
      info.remainingRequests = Math.max(0, limits.rpd - day);
      info.resetRequestsMs = dayReset;
    }
    if (limits.tpm !== null) {
      info.limitTokens = limits.tpm;
      info.remainingTokens = Math.max(0, limits.tpm - tokens);
      info.resetTokensMs = tokenReset;
    }
    if (status !== "ok") {
      const limit = status as LimitName;
      return { ok: false, limit, limitValue: limitValue(limits, limit), retryAfterMs, info };
    }
    const booking: Booking = { tokens: limits.tpm !== null, spendKey: keys[5] as string };
    return {
      ok: true,
      info,
      ticket: { keyId: input.keyId, requestId: input.requestId, reserveNanos: input.reserveNanos, booking },
    };
  }

  async settle(ticket: Ticket, s: Settlement): Promise<void> {
    const booking = ticket.booking as Booking;
    const p = `${this.options.prefix}rl:{${ticket.keyId}}:`;
    const call = this.redis.meshSettle(
      `${p}t`,
      `${p}ts`,
      `${p}c`,
      booking.spendKey,
      ticket.requestId,
      booking.tokens ? Math.max(0, Math.round(s.tokens)) : 0,
      s.costNanos - ticket.reserveNanos,
    );
    this.settling.add(call);
    try {
      await call;
    } finally {
      this.settling.delete(call);
    }
  }

  async spent(keyId: string, limits: KeyLimits): Promise<number> {
    const value = await this.redis.get(this.spendKey(keyId, limits, Date.now()));
    return value === null ? 0 : Number(value);
  }

  async close(): Promise<void> {
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

function limitValue(limits: KeyLimits, limit: LimitName): number {
  switch (limit) {
    case "rpm":
      return limits.rpm ?? 0;
    case "rpd":
      return limits.rpd ?? 0;
    case "tpm":
      return limits.tpm ?? 0;
    case "max_concurrent":
      return limits.maxConcurrent ?? 0;
    case "spend":
      return limits.spendCapUsd ?? 0;
  }
}
