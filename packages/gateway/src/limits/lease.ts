import type { KeyLimits } from "../store/types.js";
import type { Booking } from "./redis-script.js";
import { type AdmitInput, type AdmitResult, type RateInfo, sameLimits } from "./types.js";

/**
 * Leases: how one gateway instance admits a busy key's requests without a Redis call each.
 *
 * When a key keeps one instance busy, that instance's script call also asks for a lease: a number of
 * requests it may admit on its own until the end of the 10 ms slot LEASE_MS from now (50 to 60 ms),
 * or LONG_LEASE_MS (200 to 210 ms) while the key is far from every limit. The script books them there
 * and then, at the end of that slot, in every
 * window (minute, day, requests in flight, a worst-case reservation each against the spend cap),
 * exactly as if they had all been admitted at once — so no window can ever hold more than its limit,
 * whoever admits. It grants a lease only while every limit has ample room (at most
 * 1/LEASE_SHARE of what is left), so keys near a limit are decided request by request as before.
 *
 * What the instance did not use goes back with its next call for the key (or a lazy call of its own
 * once the slot is over): the unused requests leave the windows, their slots and reservations are
 * freed. Until then they count (stricter, never looser). So that this cannot refuse a request that
 * the key's limits allow, a request that would be refused while another live instance holds a lease is
 * told to wait for it and is asked again shortly after (see RedisLimiter); a lease not given back
 * within LEASE_GRACE_MS (its instance died) no longer holds anyone up, and its requests stay booked, as
 * a crashed instance's admitted requests do.
 */

/**
 * A lease runs to the end of the slot this far ahead. Longer leases mean fewer script calls (one per
 * lease, the key's settles riding along): 50 ms took Redis from ~3 µs of CPU per request (10 to 20 ms
 * leases, ~110 calls a second for a key at ~9,000 requests a second) to ~1. The price: leased requests
 * are booked up to 60 ms late (so they leave the minute window up to 60 ms late: stricter, never
 * looser), and settles of a leased key reach Redis up to one lease later.
 */
export const LEASE_MS = 50;
/**
 * The lease while the key has used at most half of every limit (minute, day, tokens, in flight,
 * spend): four times fewer script calls again. Each call wakes Redis, which on a busy box takes the
 * CPU from the gateway's event loop for the length of the script (2026-11-30, on a host where a
 * request took ~340 µs of event loop: with 50 ms leases shared mode's event loop took 10 µs more per
 * request than in-process limits, and Redis 5.2 µs; with 200 ms leases no more than in-process limits,
 * and Redis 2.3 µs). Near a limit the short lease holds: its requests are booked less late, and the
 * settles (tpm's tokens) lag less.
 */
export const LONG_LEASE_MS = 200;
/** A lease may take at most this fraction (1/n) of what is left of any limit. */
export const LEASE_SHARE = 8;
/** How long after its end a lease not yet given back still makes refused requests wait. */
export const LEASE_GRACE_MS = 1_000;
/** Admissions are counted per this many ms to tell a busy key. */
const DEMAND_WINDOW_MS = 10;
/** A key is busy at this rate: this many admissions per window (500 per second at this instance) … */
const BUSY_PER_WINDOW = 5;
/** … for this many windows in a row: a burst alone never gets a lease. */
const BUSY_WINDOWS = 3;
/** A lease is asked for at this multiple of the recent rate, so that a rising load does not run dry. */
const LEASE_HEADROOM = 2;
/**
 * The next lease is asked for this long before the current one ends, or with a quarter of its time
 * left if that is longer (or once half of it is used), so that a busy key is never without one, even
 * when Redis takes a few ms to answer: it replaces the current one when it comes. On a saturated
 * 2-core box an answer took 3 to 14 ms: asked for 10 ms before the end of a 200 ms lease, it left up to
 * 2 % of a busy key's admissions (in 2 s windows) waiting for Redis.
 */
const RENEW_BEFORE_MS = 10;
/** … or this fraction (1/n) of the lease's length before its end, if that is longer. */
const RENEW_BEFORE_SHARE = 4;

/** Counts one key's admissions at this instance, to tell whether it is busy enough for leases. */
export class DemandMeter {
  private count = 0;
  private since = -1;
  private streak = 0;
  private rate = 0;

  hit(now: number): void {
    this.roll(now);
    this.count++;
  }

  /** Requests per ms to ask a lease for; 0 while the key has not been busy for long enough. */
  leaseRate(now: number): number {
    this.roll(now);
    return this.streak >= BUSY_WINDOWS ? this.rate * LEASE_HEADROOM : 0;
  }

  private roll(now: number): void {
    if (this.since < 0) this.since = now;
    const elapsed = now - this.since;
    if (elapsed < DEMAND_WINDOW_MS) return;
    // Judged by the rate over the time since the last look, not the count: an event loop held up for
    // longer than a window (a GC pause, a preempted process) must not cost a busy key its leases.
    const rate = this.count / elapsed;
    if (rate * DEMAND_WINDOW_MS >= BUSY_PER_WINDOW) {
      this.streak++;
      this.rate = rate;
    } else {
      this.streak = 0;
      this.rate = 0;
    }
    this.count = 0;
    this.since = now;
  }
}

/** What a lease gives back: its unused requests (and where they were booked) and reservations. */
export interface LeaseReturn {
  booking: Booking;
  unused: number;
  /** Where the lease's requests were booked in the minute / day window (-1: that limit was not set). */
  minuteSlot: number;
  daySlot: number;
  /** Reservations to take back: the unused requests' and what the used ones reserved less. */
  refundNanos: number;
}

/** The window counts a lease was granted at, for the headers of the requests it admits. */
export interface LeaseSnapshot {
  /** Requests in the minute / day window before the lease's own (the batch's admissions included). */
  minute: number;
  day: number;
  tokens: number;
  /** Reset times (ms from the grant) of the minute, day and token windows. */
  minuteResetMs: number;
  dayResetMs: number;
  tokensResetMs: number;
}

/** One key's live lease at this instance. */
export class KeyLease {
  private used = 0;
  private refund = 0;
  private isRenewing = false;
  timer: NodeJS.Timeout | undefined;

  constructor(
    readonly limits: KeyLimits,
    readonly booking: Booking,
    private readonly units: number,
    /** Each leased request's reservation (nano-USD); a request reserving more is asked of Redis. */
    readonly unitNanos: number,
    readonly minuteSlot: number,
    readonly daySlot: number,
    /** Local time (performance.now) the lease is good until: the slot's end, measured conservatively. */
    readonly until: number,
    private readonly grantedAt: number,
    private readonly snapshot: LeaseSnapshot,
  ) {}

  /** Admits the request on the lease, or undefined when the lease cannot (used up, over, other terms). */
  take(input: AdmitInput, now: number): AdmitResult | undefined {
    if (
      this.used >= this.units ||
      now >= this.until ||
      input.reserveNanos > this.unitNanos ||
      !sameLimits(input.limits, this.limits)
    ) {
      return undefined;
    }
    this.used++;
    this.refund += this.unitNanos - input.reserveNanos;
    return {
      ok: true,
      info: this.info(now),
      ticket: {
        keyId: input.keyId,
        requestId: input.requestId,
        reserveNanos: input.reserveNanos,
        booking: this.booking,
      },
    };
  }

  /** How long the lease runs, from its grant to its end (ms). */
  get length(): number {
    return this.until - this.grantedAt;
  }

  /** Requests of the lease not admitted (yet). */
  get unused(): number {
    return this.units - this.used;
  }

  /** Whether the next lease has been asked for. */
  get renewing(): boolean {
    return this.isRenewing;
  }

  /** True once (per lease) when it is time to ask for the next one. */
  wantsRenewal(now: number): boolean {
    const before = Math.max(RENEW_BEFORE_MS, this.length / RENEW_BEFORE_SHARE);
    if (this.isRenewing || (now < this.until - before && this.used * 2 < this.units)) return false;
    this.isRenewing = true;
    return true;
  }

  /** Ends the lease: what to give back. */
  close(): LeaseReturn {
    if (this.timer) clearTimeout(this.timer);
    const unused = this.units - this.used;
    return {
      booking: this.booking,
      unused,
      minuteSlot: this.minuteSlot,
      daySlot: this.daySlot,
      refundNanos: this.refund + unused * this.unitNanos,
    };
  }

  /** The headers' view: the counts at the grant plus what this lease admitted since. */
  private info(now: number): RateInfo {
    const s = this.snapshot;
    const l = this.limits;
    const elapsed = now - this.grantedAt;
    const info: RateInfo = {};
    if (l.rpm !== null) {
      info.limitRequests = l.rpm;
      info.remainingRequests = Math.max(0, l.rpm - s.minute - this.used);
      info.resetRequestsMs = Math.max(0, s.minuteResetMs - elapsed);
    } else if (l.rpd !== null) {
      info.limitRequests = l.rpd;
      info.remainingRequests = Math.max(0, l.rpd - s.day - this.used);
      info.resetRequestsMs = Math.max(0, s.dayResetMs - elapsed);
    }
    if (l.tpm !== null) {
      info.limitTokens = l.tpm;
      info.remainingTokens = Math.max(0, l.tpm - s.tokens);
      info.resetTokensMs = Math.max(0, s.tokensResetMs - elapsed);
    }
    return info;
  }
}
