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

/** The key's lease is running out while still busy: ask for the next one before it does. */
export interface PendingRenew {
  kind: "renew";
}

export type Pending = PendingAdmit | PendingSettle | PendingRenew;

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

/** What a group of settles books, summed: their tokens and one spend increment. */
export function sumSettles(settles: readonly PendingSettle[]): SettleSum {
  const s: SettleSum = { delta: 0, tokens: 0, returned: [] };
  for (const p of settles) {
    s.delta += p.delta;
    s.tokens += p.tokens;
    if (p.returned) s.returned.push(p.returned);
  }
  return s;
}

/** A call not sent because the connection to Redis is not up: nothing of it reached Redis. */
export class NotSent extends Error {}

/**
 * Whether a failed call certainly never reached Redis, so that sending its settles again cannot book
 * them twice. A call that was on the wire when the connection dropped may have run: not retried.
 */
export function neverSent(err: unknown): boolean {
  return err instanceof NotSent || (err instanceof Error && err.message.startsWith("Stream isn't writeable"));
}

/** Requests whose settles are summed in these items (a lease given back counts as one). */
export function countSettles(settles: readonly PendingSettle[]): number {
  return settles.reduce((n, p) => n + p.count, 0);
}
