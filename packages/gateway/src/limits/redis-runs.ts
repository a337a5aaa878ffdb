import type { KeyLimits } from "../store/types.js";
import type { PendingAdmit, PendingSettle } from "./redis-pending.js";
import type { Booking } from "./redis-script.js";
import { sameLimits } from "./types.js";

/**
 * One script call of a key's turn: admissions that share one set of limits (none for a lease renewal
 * alone), and the settles of the same spend counter riding along.
 */
export interface Run {
  limits: KeyLimits;
  booking: Booking;
  run: PendingAdmit[];
  settles?: PendingSettle[];
}

/** A turn's settles by the spend counter they book against (a month's end splits them). */
export class SettleGroups {
  private readonly groups = new Map<string, PendingSettle[]>();

  add(p: PendingSettle): void {
    const group = this.groups.get(p.booking.spendKey);
    if (group) group.push(p);
    else this.groups.set(p.booking.spendKey, [p]);
  }

  /** Takes the settles of one counter out, to ride along with that counter's admissions. */
  take(spendKey: string): PendingSettle[] | undefined {
    const group = this.groups.get(spendKey);
    this.groups.delete(spendKey);
    return group;
  }

  /** The groups no admission took: each goes on a call of its own. */
  rest(): IterableIterator<PendingSettle[]> {
    return this.groups.values();
  }
}

/** A run with the settles of its spend counter taken from `settles`, if there are any. */
export function ride(limits: KeyLimits, booking: Booking, run: PendingAdmit[], settles: SettleGroups): Run {
  const riding = settles.take(booking.spendKey);
  return riding ? { limits, booking, run, settles: riding } : { limits, booking, run };
}

/**
 * Cuts a key's admissions, in their order, into runs of the same limits (a key edited between two
 * requests of one turn gives two runs), each booked against its own spend counter.
 */
export function admissionRuns(
  admits: PendingAdmit[],
  base: string,
  spendKeyOf: (limits: KeyLimits) => string,
  settles: SettleGroups,
): Run[] {
  const runs: Run[] = [];
  for (let start = 0, i = 1; i <= admits.length; i++) {
    const first = admits[start] as PendingAdmit;
    const next = admits[i];
    if (next && sameLimits(first.input.limits, next.input.limits)) continue;
    const limits = first.input.limits;
    const booking = {
      base,
      spendKey: spendKeyOf(limits),
      slot: limits.maxConcurrent !== null,
      tokens: limits.tpm !== null,
    };
    // The common case (one run) keeps the array it was given.
    const run = start === 0 && i === admits.length ? admits : admits.slice(start, i);
    runs.push(ride(limits, booking, run, settles));
    start = i;
  }
  return runs;
}
