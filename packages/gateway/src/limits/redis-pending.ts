import type { LeaseReturn } from "./lease.js";
import type { Booking, SettleSum } from "./redis-script.js";
import type { AdmitInput, AdmitResult } from "./types.js";

/** What waits in the shared limiter's per-key batches (see KeyBatcher) for the key's next script call. */

export interface PendingAdmit {
  kind: "admit";
  input: AdmitInput;
  /** Times it was told to wait for another instance's lease. */
  waits: number;
  resolve: (result: AdmitResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Requests' settles, summed while they wait for the key's next call (one item however many requests
 * ended), or a lease given back (its unused requests, slots and reservations).
 */
export interface PendingSettle {
  kind: "settle";
  booking: Booking;
  tokens: number;
  delta: number;
  /** Settles summed in it (a lease given back counts as one): what a failed call reports as lost. */
  count: number;
  returned?: SettleSum["returned"][number];
}

/**
 * Settles sent to Redis, numbered: a call that failed is sent again as it was, and Redis books each
 * number once.
 */
export interface SettlePacket {
  booking: Booking;
  sum: SettleSum;
  /** Settles summed in it (a lease given back counts as one): what it reports if given up. */
  count: number;
}

/** Settles sent before wait to be sent again: the key's next call must come (see SettlePacket). */
export interface PendingRetry {
  kind: "retry";
}

export const RETRY: PendingRetry = { kind: "retry" };

/** The key's lease is running out while still busy: ask for the next one before it does. */
export interface PendingRenew {
  kind: "renew";
}

export type Pending = PendingAdmit | PendingSettle | PendingRenew | PendingRetry;

export const RENEW: PendingRenew = { kind: "renew" };

/**
 * A lease given back, as the settle that books it: its unused requests leave the windows and their
 * reservations are freed (their slots are not counted in the instance's next `held`).
 */
export function leaseGivenBack(r: LeaseReturn): PendingSettle {
  return {
    kind: "settle",
    booking: r.booking,
    tokens: 0,
    delta: -r.refundNanos,
    count: 1,
    returned: { unused: r.unused, minuteSlot: r.minuteSlot, daySlot: r.daySlot },
  };
}

/** A group of settles (one spend counter) as the numbered packet one call books. */
export function settlePacket(settles: readonly PendingSettle[], seq: number): SettlePacket {
  const sum: SettleSum = { delta: 0, tokens: 0, returned: [], seq };
  let count = 0;
  for (const p of settles) {
    sum.delta += p.delta;
    sum.tokens += p.tokens;
    count += p.count;
    if (p.returned) sum.returned.push(p.returned);
  }
  return { booking: (settles[0] as PendingSettle).booking, sum, count };
}

/**
 * A call not sent because the connection to Redis is not up: nothing of it reached Redis. One shared
 * instance: during an outage every key with settles waiting tries twice a second, and a fresh error
 * would capture a stack trace each time.
 */
export const NOT_SENT = new Error("Redis connection is not up; nothing was sent");
