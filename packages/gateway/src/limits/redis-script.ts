import type { KeyLimits } from "../store/types.js";
import type { LeaseSnapshot } from "./lease.js";
import {
  type AdmitInput,
  type AdmitResult,
  DAY_MS,
  DAY_SLOT_MS,
  type LimitName,
  MINUTE_MS,
  type RateInfo,
  SHARED_MINUTE_SLOT_MS,
  slotEnd,
  type Ticket,
  toNanos,
} from "./types.js";

/**
 * The JS half of LIMIT_LUA: the script's arguments for one key's batch (the settles of requests that
 * ended, a run of admissions that share the same limits) and each admission's result from the
 * script's compact reply.
 */

/** Where a request was booked; shared by every ticket of one admitted batch. */
export interface Booking {
  /** `<prefix>rl3:{keyId}:`, the start of the key's window names. */
  readonly base: string;
  readonly spendKey: string;
  /** Whether the request counts in its instance's requests in flight (max_concurrent was set). */
  readonly slot: boolean;
  /** Whether its tokens count against tpm (tpm was set). */
  readonly tokens: boolean;
}

/** Settles of one spend counter, summed: what the script books for them. */
export interface SettleSum {
  /** Actual cost minus reservation, over all of them (nano-USD). */
  delta: number;
  /** Tokens to count against tpm. */
  tokens: number;
  /** Leases given back: their unused requests and where they were booked. */
  returned: { unused: number; minuteSlot: number; daySlot: number }[];
  /**
   * The call's number among the instance's calls with settles for the key (from 1, rising): sent again
   * after its answer was lost, Redis books it only if it has not booked it yet.
   */
  seq: number;
}

/** What an admission call asks for besides its admissions: a lease (see lease.ts). */
export interface LeaseAsk {
  /** Requests per ms; the script grants this rate times the rest of the slot (0: no lease). */
  rate: number;
  /** Each leased request's reservation against the spend cap (nano-USD). */
  unitNanos: number;
}

const STATUS: readonly (LimitName | undefined)[] = [
  undefined,
  "rpm",
  "rpd",
  "tpm",
  "max_concurrent",
  "spend",
];

/** Settles only: every limit "not set", so the script returns right after booking them. */
const SETTLE_ONLY = [-1, -1, -1, -1, -1, 0] as const;

/**
 * The script call for one key: `instance` names the gateway process whose requests in flight it counts,
 * `held` is how many that process holds before the call's admissions (its requests admitted and not yet
 * settled, and the unused part of its live lease), or -1 to keep the count Redis has.
 */
export function scriptArgs(
  booking: Booking,
  limits: KeyLimits | undefined,
  slotTtlMs: number,
  instance: string,
  held: number,
  settles: SettleSum | undefined,
  inputs: readonly AdmitInput[],
  lease?: LeaseAsk,
): (string | number)[] {
  const b = booking.base;
  const args: (string | number)[] = [
    `${b}h`,
    `${b}m`,
    `${b}d`,
    `${b}t`,
    `${b}c`,
    booking.spendKey,
    `${b}l`,
    `${b}q:${instance}`,
  ];
  if (limits === undefined) args.push(...SETTLE_ONLY);
  else {
    args.push(
      limits.rpm ?? -1,
      limits.rpd ?? -1,
      limits.tpm ?? -1,
      limits.maxConcurrent ?? -1,
      limits.spendCapUsd === null ? -1 : toNanos(limits.spendCapUsd),
      slotTtlMs,
    );
  }
  args.push(settles?.delta ?? 0, settles?.tokens ?? 0, held, instance);
  args.push(lease?.rate ?? 0, lease?.unitNanos ?? 0);
  const returned = settles?.returned ?? [];
  args.push(returned.length, settles?.seq ?? 0);
  for (const r of returned) args.push(r.unused, r.minuteSlot, r.daySlot);
  for (const input of inputs) args.push(input.reserveNanos);
  return args;
}

/**
 * Reply offsets: 0 seeded flag, 1 now, 2..7 window state before the batch, 8 requests leased, 9 the
 * lease's end, 10 / 11 the minute / day slot its requests were booked at (-1: not booked), 12… one
 * status per request.
 */
const FIRST_STATUS = 12;
/** A refusal while another instance holds a lease comes as the limit's status plus this: wait. */
const WAIT = 10;

export function needsSeed(reply: readonly number[]): boolean {
  return reply[0] === 0;
}

/** Whether admission i was told to wait for another instance's lease rather than refused. */
export function mustWait(reply: readonly number[], i: number): boolean {
  return (reply[FIRST_STATUS + i] as number) >= WAIT;
}

/** The lease the call granted this instance, if any: its requests, end (Redis time) and slots. */
export function leased(
  reply: readonly number[],
): { units: number; end: number; minuteSlot: number; daySlot: number } | undefined {
  const units = reply[8];
  if (!units) return undefined;
  return {
    units,
    end: reply[9] as number,
    minuteSlot: reply[10] as number,
    daySlot: reply[11] as number,
  };
}

/** The window counts after the batch's admissions (before the lease's own), for the lease's headers. */
export function leaseSnapshot(reply: readonly number[], admitted: number): LeaseSnapshot {
  const now = reply[1] as number;
  const minuteOldest = reply[3] as number;
  const dayOldest = reply[5] as number;
  return {
    minute: (reply[2] as number) + admitted,
    day: (reply[4] as number) + admitted,
    tokens: reply[6] as number,
    minuteResetMs: resetMs(
      minuteOldest < 0 ? slotEnd(now, SHARED_MINUTE_SLOT_MS) : minuteOldest,
      MINUTE_MS,
      now,
    ),
    dayResetMs: resetMs(dayOldest < 0 ? slotEnd(now, DAY_SLOT_MS) : dayOldest, DAY_MS, now),
    tokensResetMs: resetMs(reply[7] as number, MINUTE_MS, now),
  };
}

/** Replays the batch's admissions in order to give each request the headers it would have had alone. */
export function admitResults(
  reply: readonly number[],
  limits: KeyLimits,
  booking: Booking,
  inputs: readonly AdmitInput[],
): AdmitResult[] {
  const now = reply[1] as number;
  let minute = reply[2] as number;
  let minuteOldest = reply[3] as number;
  let day = reply[4] as number;
  let dayOldest = reply[5] as number;
  const tokens = reply[6] as number;
  const tokensReset = resetMs(reply[7] as number, MINUTE_MS, now);
  const results: AdmitResult[] = new Array(inputs.length);
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i] as AdmitInput;
    const status = reply[FIRST_STATUS + i] as number;
    const limit = STATUS[status >= WAIT ? status - WAIT : status];
    if (limit === undefined) {
      minute++;
      day++;
      if (minuteOldest < 0) minuteOldest = slotEnd(now, SHARED_MINUTE_SLOT_MS);
      if (dayOldest < 0) dayOldest = slotEnd(now, DAY_SLOT_MS);
    }
    const minuteReset = resetMs(minuteOldest, MINUTE_MS, now);
    const dayReset = resetMs(dayOldest, DAY_MS, now);
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
      info.resetTokensMs = tokensReset;
    }
    if (limit === undefined) {
      const ticket: Ticket = {
        keyId: input.keyId,
        requestId: input.requestId,
        reserveNanos: input.reserveNanos,
        booking,
      };
      results[i] = { ok: true, info, ticket };
      continue;
    }
    const retryAfterMs =
      limit === "rpm"
        ? minuteReset
        : limit === "rpd"
          ? dayReset
          : limit === "tpm"
            ? tokensReset
            : limit === "max_concurrent"
              ? 1000
              : 0;
    results[i] = { ok: false, limit, limitValue: limitValue(limits, limit), retryAfterMs, info };
  }
  return results;
}

/** Milliseconds until an entry made at `oldest` leaves a window (0 when the window is empty). */
function resetMs(oldest: number, window: number, now: number): number {
  return oldest < 0 ? 0 : Math.max(0, oldest + window - now);
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
