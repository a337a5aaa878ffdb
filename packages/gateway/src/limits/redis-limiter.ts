import { randomBytes } from "node:crypto";
import { Redis, ReplyError } from "ioredis";
import type { KeyLimits } from "../store/types.js";
import { KeyBatcher } from "./key-batcher.js";
import { KeyLease } from "./lease.js";
import { LIMIT_LUA, SEED_LUA } from "./lua.js";
import { endLease, heldSlots, type KeyState, newKeyState } from "./redis-key-state.js";
import type { RedisLimiterOptions } from "./redis-limiter-options.js";
import {
  NOT_SENT,
  type Pending,
  type PendingAdmit,
  type PendingSettle,
  RENEW,
  RETRY,
  type SettlePacket,
  settlePacket,
} from "./redis-pending.js";
import { admissionRuns, type Run, ride, SettleGroups } from "./redis-runs.js";
import {
  admitResults,
  type Booking,
  type LeaseAsk,
  leased,
  leaseSnapshot,
  mustWait,
  needsSeed,
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

/**
 * Settles whose call failed (Redis unreachable, or the connection dropped before the answer) go again
 * with the key's next call, or on their own after this long, until Redis has booked them.
 */
const SETTLE_RETRY_MS = 500;

/** A request told to wait for another instance's lease asks again after this long … */
const LEASE_WAIT_MS = 5;
/** … at most this many times; then the refusal stands (that instance is slow to give it back). */
const MAX_LEASE_WAITS = 100;

interface LimitCommands {
  meshLimit(...args: (string | number)[]): Promise<number[]>;
  meshSeed(...args: (string | number)[]): Promise<string>;
}

/**
 * The shared limiter: windows, slots and spend live in Redis and are checked and booked by a Lua
 * script, so the limits hold across any number of gateway processes. What one key's requests ask of
 * the limiter in one event-loop turn — settles of requests that ended, admits of new ones — goes to
 * Redis as one script call, which books the admits one after the other exactly as single calls
 * would: the limits stay exact, while Redis and the gateway do a fraction of the work per request.
 * A key that keeps this instance busy gets leases (lease.ts): requests booked ahead in Redis for the
 * next 50 to 200 ms, admitted here without a call each, the unused ones given back; so a busy key
 * costs about one call per lease. A spend counter that Redis does not have yet (first use, or Redis
 * lost its data) is seeded once from the recorded usage.
 */
export class RedisLimiter implements Limiter {
  readonly kind = "redis";
  readonly redis: Redis & LimitCommands;
  private readonly slotTtlMs: number;
  private readonly settleDelayMs: number;
  /** Names this process's count of requests in flight in Redis (per key). */
  private readonly instance = randomBytes(6).toString("hex");
  /** Shutdown drains it, so no settle (slot, reservation) is lost. */
  private readonly batcher: KeyBatcher<Pending>;
  private readonly keys = new Map<string, KeyState>();
  /** While above 0 (shutdown, or a caller waiting for the settles), unsendable settles are given up. */
  private draining = 0;

  constructor(private readonly options: RedisLimiterOptions) {
    // No offline queue: while Redis is down, calls fail at once and the configured policy decides,
    // instead of requests piling up behind a reconnect.
    const redis = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      // A call on the wire when the connection drops fails at once, instead of ioredis sending it again
      // after the reconnect: a call Redis had run (its answer lost) would book its admissions twice.
      // The limiter sends its settles again itself, numbered (Redis books each once), and requests in
      // flight heal with the next call (see heldSlots).
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      // No auto-pipelining: it would put several keys' calls of one turn into one write, but builds a
      // Pipeline object per turn, which measured ~30 % more client CPU per call than a write per call,
      // even with eight keys busy at once (calls per key are already batched by KeyBatcher).
      enableAutoPipelining: false,
    });
    redis.defineCommand("meshLimit", { numberOfKeys: 8, lua: LIMIT_LUA });
    redis.defineCommand("meshSeed", { numberOfKeys: 1, lua: SEED_LUA });
    this.redis = redis as Redis & LimitCommands;
    this.slotTtlMs = options.slotTtlMs ?? 15 * 60_000;
    this.settleDelayMs = options.settleDelayMs ?? 12;
    this.batcher = new KeyBatcher(
      (keyId, batch) => this.send(keyId, batch),
      options.maxBatch ?? 500,
      this.settleDelayMs,
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

  private stateOf(keyId: string): KeyState {
    let state = this.keys.get(keyId);
    if (state === undefined) {
      state = newKeyState();
      this.keys.set(keyId, state);
    }
    return state;
  }

  admit(input: AdmitInput): AdmitResult | Promise<AdmitResult> {
    const now = performance.now();
    const state = this.stateOf(input.keyId);
    state.demand.hit(now);
    const lease = state.lease;
    if (lease) {
      const result = lease.take(input, now);
      if (result) {
        if (lease.booking.slot) state.inflight++;
        if (lease.wantsRenewal(now)) this.batcher.add(input.keyId, RENEW);
        return result;
      }
      this.giveBack(input.keyId, state);
    }
    return new Promise((resolve, reject) =>
      this.batcher.add(input.keyId, { kind: "admit", input, waits: 0, resolve, reject }),
    );
  }

  /**
   * Books the request's end lazily: it rides along with the key's next call (see settleDelayMs). The
   * settles waiting for that call are summed into one item as they come, so a busy key's settles cost
   * three additions each, not an object and a place in the batch.
   */
  settle(ticket: Ticket, s: Settlement): void {
    const booking = ticket.booking as Booking;
    const tokens = booking.tokens ? Math.max(0, Math.round(s.tokens)) : 0;
    const delta = s.costNanos - ticket.reserveNanos;
    const state = this.stateOf(ticket.keyId);
    // The slot is free from now on: the key's next call says so (see heldSlots).
    if (booking.slot && state.inflight > 0) state.inflight--;
    const waiting = state.settling;
    if (waiting !== undefined && waiting.booking.spendKey === booking.spendKey) {
      waiting.tokens += tokens;
      waiting.delta += delta;
      waiting.count++;
      return;
    }
    const item: PendingSettle = { kind: "settle", booking, tokens, delta, count: 1 };
    state.settling = item;
    this.batcher.add(ticket.keyId, item, false, this.lazyWait(state));
  }

  /**
   * How long a settle may wait: a leased key's next call is its renewal, before the lease ends; once
   * that renewal is on its way, the one after it, before the next lease ends.
   */
  private lazyWait(state: KeyState): number {
    const lease = state.lease;
    if (lease === undefined) return this.settleDelayMs;
    if (lease.renewing) return Math.max(this.settleDelayMs, lease.length);
    return Math.max(this.settleDelayMs, lease.until - performance.now());
  }

  /** Resolves once everything asked of Redis so far (settles included) has been sent and answered. */
  settled(): Promise<void> {
    this.draining++;
    return this.batcher.drain().finally(() => {
      this.draining--;
    });
  }

  /**
   * A call with settles failed. Unless Redis refused it (an error it would answer again) or the limiter
   * is draining, its packet waits to go again, first in the key's next call, as it was: if Redis had
   * booked it (only the answer was lost), it books nothing the second time.
   */
  private retryLater(keyId: string, packet: SettlePacket, err: unknown): void {
    if (this.draining > 0 || err instanceof ReplyError) {
      this.options.onSettleError?.(err, packet.count);
      return;
    }
    this.stateOf(keyId).unsent.push(packet);
    this.batcher.add(keyId, RETRY, false, SETTLE_RETRY_MS);
  }

  /** The key's settles as the next numbered packet. */
  private packet(keyId: string, settles: readonly PendingSettle[]): SettlePacket {
    return settlePacket(settles, ++this.stateOf(keyId).seq);
  }

  /** Ends the key's lease, if any; what it gives back is booked with the key's next call (lazily). */
  private giveBack(keyId: string, state: KeyState): void {
    const back = endLease(state);
    if (back) this.batcher.add(keyId, back, false);
  }

  /**
   * One key's turn: a script call per run of admits that share the same limits, the settles of the
   * same spend counter riding along (booked before the admits, so a freed slot is free for them);
   * settles of another counter (a month just ended) go first, on their own.
   */
  private send(keyId: string, batch: Pending[]): Promise<unknown> {
    const state = this.keys.get(keyId);
    // The summed settles go now: later ones start a new sum.
    if (state) state.settling = undefined;
    const unsent = state?.unsent ?? [];
    if (state && unsent.length > 0) state.unsent = [];
    const admits: PendingAdmit[] = [];
    const settles = new SettleGroups();
    const tick = performance.now();
    let renew = false;
    for (const p of batch) {
      if (p.kind === "settle") settles.add(p);
      else if (p.kind === "renew") renew = true;
      else if (p.kind === "retry") continue;
      else {
        // Queued while the key's lease was on its way: the lease admits them if it can.
        const lease = state?.lease;
        const result = lease?.take(p.input, tick);
        if (result) {
          if (lease?.booking.slot && state) state.inflight++;
          p.resolve(result);
        } else admits.push(p);
      }
    }
    // A call for admissions ends the lease: what is left of it goes back with the call.
    if (admits.length > 0 && state?.lease) settles.add(endLease(state) as PendingSettle);
    const runs: Run[] = [];
    // No admissions, but the lease is running out: a call for the next lease alone, on its terms
    // (none if the key is no longer busy).
    if (renew && admits.length === 0 && state?.lease && this.leaseRate(state, tick) > 0) {
      runs.push(ride(state.lease.limits, state.lease.booking, [], settles));
    }
    const now = Date.now();
    const base = `${this.options.prefix}rl3:{${keyId}}:`;
    runs.push(...admissionRuns(admits, base, (limits) => this.spendKey(keyId, limits, now), settles));
    const calls: Promise<unknown>[] = [];
    // The first call of the batch says how many slots this instance holds; Redis runs the calls in
    // the order they are sent, so the others keep the count it set and add their own admissions.
    let held = heldSlots(state);
    // Packets that failed before go first and in their order: Redis books each number once.
    for (const packet of unsent) {
      calls.push(this.call(keyId, packet.booking, undefined, held, packet, []));
      held = -1;
    }
    for (const group of settles.rest()) {
      const packet = this.packet(keyId, group);
      calls.push(this.call(keyId, packet.booking, undefined, held, packet, []));
      held = -1;
    }
    // A lease for a key busy at this instance, on the usual terms (one run: the key's current limits).
    const rate = runs.length === 1 && state ? this.leaseRate(state, tick) : 0;
    for (const r of runs) {
      const ask =
        rate > 0
          ? {
              rate,
              // A renewal (no admissions) keeps the current lease's terms.
              unitNanos:
                r.run.length > 0
                  ? Math.max(...r.run.map((p) => p.input.reserveNanos))
                  : (state?.lease?.unitNanos ?? 0),
            }
          : undefined;
      calls.push(
        this.admitRun(keyId, r.limits, r.booking, held, r.run, r.settles, ask).catch((err) => {
          for (const p of r.run) p.reject(err);
        }),
      );
      held = -1;
    }
    return calls.length === 1 ? (calls[0] as Promise<unknown>) : Promise.allSettled(calls);
  }

  private async admitRun(
    keyId: string,
    limits: KeyLimits,
    booking: Booking,
    held: number,
    run: PendingAdmit[],
    settles: PendingSettle[] | undefined,
    ask: LeaseAsk | undefined,
  ): Promise<void> {
    const inputs = run.map((p) => p.input);
    let sentAt = performance.now();
    const packet = settles && this.packet(keyId, settles);
    let reply = await this.call(keyId, booking, limits, held, packet, inputs, ask);
    if (needsSeed(reply)) {
      // Nothing was admitted (the settles and the count of slots held were booked): seed, then admit
      // again without them (another run of this batch may have admitted since).
      await this.seed(keyId, limits, booking.spendKey);
      sentAt = performance.now();
      reply = await this.call(keyId, booking, limits, -1, undefined, inputs, ask);
      if (needsSeed(reply)) throw new Error("the spend counter vanished right after seeding");
    }
    const results = admitResults(reply, limits, booking, inputs);
    let admitted = 0;
    for (let i = 0; i < run.length; i++) {
      const p = run[i] as PendingAdmit;
      if (mustWait(reply, i) && p.waits < MAX_LEASE_WAITS) {
        // Another instance may give back part of its lease: ask again once it has had the chance.
        p.waits++;
        setTimeout(() => this.batcher.add(keyId, p), LEASE_WAIT_MS);
        continue;
      }
      const result = results[i] as AdmitResult;
      if (result.ok) admitted++;
      p.resolve(result);
    }
    const state = this.keys.get(keyId);
    if (state && booking.slot && admitted > 0) {
      state.inflight += admitted;
      state.holdsSlots = true;
    }
    const lease = leased(reply);
    if (lease && ask) this.grant(keyId, limits, booking, lease, ask.unitNanos, reply, admitted, sentAt);
  }

  /** Requests per ms to ask a lease for (0: none). */
  private leaseRate(state: KeyState, now: number): number {
    return this.options.leases === false ? 0 : state.demand.leaseRate(now);
  }

  /** Starts the lease the script granted; it ends with the slot, and gives back what it did not use. */
  private grant(
    keyId: string,
    limits: KeyLimits,
    booking: Booking,
    granted: NonNullable<ReturnType<typeof leased>>,
    unitNanos: number,
    reply: readonly number[],
    admitted: number,
    sentAt: number,
  ): void {
    const state = this.keys.get(keyId);
    if (state === undefined) return;
    const replaced = endLease(state);
    const now = reply[1] as number;
    // The script ran after sentAt, and Redis's clock reads whole ms (up to 1 ms behind): so the lease
    // ends no earlier, locally, than this.
    const until = sentAt + (granted.end - now) - 1;
    const lease = new KeyLease(
      limits,
      booking,
      granted.units,
      unitNanos,
      granted.minuteSlot,
      granted.daySlot,
      until,
      sentAt,
      leaseSnapshot(reply, admitted),
    );
    state.lease = lease;
    if (booking.slot) state.holdsSlots = true;
    lease.timer = setTimeout(
      () => {
        if (state.lease === lease) this.giveBack(keyId, state);
      },
      Math.max(0, until - performance.now()),
    );
    lease.timer.unref();
    // What the lease replaced did not use goes back with the next renewal, like the settles.
    if (replaced) this.batcher.add(keyId, replaced, false, this.lazyWait(state));
  }

  /** One script call; if it fails, the settles riding on it go again (see retryLater). */
  private call(
    keyId: string,
    booking: Booking,
    limits: KeyLimits | undefined,
    held: number,
    packet: SettlePacket | undefined,
    inputs: readonly AdmitInput[],
    ask?: LeaseAsk,
  ): Promise<number[]> {
    // While the connection is down, nothing is handed to ioredis (its offline queue is off anyway).
    const reply =
      this.redis.status === "ready"
        ? this.redis.meshLimit(
            ...scriptArgs(booking, limits, this.slotTtlMs, this.instance, held, packet?.sum, inputs, ask),
          )
        : Promise.reject(NOT_SENT);
    if (packet !== undefined) reply.catch((err: unknown) => this.retryLater(keyId, packet, err));
    return reply;
  }

  async spent(keyId: string, limits: KeyLimits): Promise<number> {
    const value = await this.redis.get(this.spendKey(keyId, limits, Date.now()));
    return value === null ? 0 : Number(value);
  }

  async close(): Promise<void> {
    // Leases go back, and settles (and admits) still waiting go out now; wait for Redis to have booked
    // all of them.
    for (const [keyId, state] of this.keys) this.giveBack(keyId, state);
    const deadline = new Promise((r) => setTimeout(r, 2_000).unref());
    await Promise.race([this.settled(), deadline]);
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
