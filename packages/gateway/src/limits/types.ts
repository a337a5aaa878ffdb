import type { KeyLimits } from "../store/types.js";

/** What the limiter needs to know about one request before it goes upstream. */
export interface AdmitInput {
  keyId: string;
  limits: KeyLimits;
  /** Unique per request; carried on its ticket (the settle log line names it). */
  requestId: string;
  /** Worst-case cost in nano-USD, held against the spend cap until the request settles. */
  reserveNanos: number;
}

/** Where a key stands, for the `x-ratelimit-*` headers. Absent fields: that limit is not set. */
export interface RateInfo {
  limitRequests?: number;
  remainingRequests?: number;
  /** Milliseconds until the oldest request in the window leaves it. */
  resetRequestsMs?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetTokensMs?: number;
}

export type LimitName = "rpm" | "rpd" | "tpm" | "max_concurrent" | "spend";

/** An admitted request; hand it back to `settle` exactly once. */
export interface Ticket {
  readonly keyId: string;
  readonly requestId: string;
  readonly reserveNanos: number;
  /** Opaque to callers: where the implementation booked this request. */
  readonly booking: unknown;
}

export type AdmitResult =
  | { ok: true; ticket: Ticket; info: RateInfo }
  | { ok: false; limit: LimitName; retryAfterMs: number; info: RateInfo; limitValue: number };

export interface Settlement {
  /** Actual cost in nano-USD (0 when unknown or the request failed before an answer). */
  costNanos: number;
  /** Prompt + completion tokens actually used, counted against `tpm`. */
  tokens: number;
}

/**
 * Rate windows, concurrency slots and spend, checked and booked atomically per request: either every
 * limit admits the request and all of them are booked, or none is.
 */
export interface Limiter {
  readonly kind: "memory" | "redis";
  /** Synchronous when the limiter needs no I/O (in process), so the hot path awaits nothing. */
  admit(input: AdmitInput): AdmitResult | Promise<AdmitResult>;
  /** Books the request's end; never throws (a shared limiter reports failures its own way). */
  settle(ticket: Ticket, settlement: Settlement): void;
  /** Resolves once every settle made so far is booked (at once in process). */
  settled(): Promise<void>;
  /** Spend booked against the key's current period (settled plus reserved), in nano-USD. */
  spent(keyId: string, limits: KeyLimits): Promise<number>;
  close(): Promise<void>;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
/**
 * The day window books requests per second, at the end of their second: exact in count, and a request
 * leaves the window between 24 h and 24 h + 1 s after it was made — never early. Per-millisecond
 * entries would let one busy key's day log grow to 86.4 million entries (gigabytes).
 */
export const DAY_SLOT_MS = 1000;
/**
 * In shared mode the minute and token windows book per 10 ms, at the end of the slot, for the same
 * reason and with the same guarantee: the count is exact, an entry leaves its window between 60 s and
 * 60.01 s after it was made (60.06 s for a leased request, booked at the end of its lease), never
 * early. It lets the Redis script write a key's minute log once per slot instead of once per call (see
 * lua.ts). The embedded limiter books per millisecond.
 */
export const SHARED_MINUTE_SLOT_MS = 10;

/** The end of the slot a time falls in: where a window booked per `slotMs` puts an event made then. */
export function slotEnd(time: number, slotMs: number): number {
  return slotMs === 1 ? time : Math.ceil(time / slotMs) * slotMs;
}

/** Costs are counted in integer nano-USD so that sums are exact in Lua doubles and in JS alike. */
export const NANOS_PER_USD = 1e9;
export const toNanos = (usd: number): number => Math.round(usd * NANOS_PER_USD);

/** Whether two views of a key's limits are the same terms (a key update changes them). */
export function sameLimits(a: KeyLimits, b: KeyLimits): boolean {
  return (
    a === b ||
    (a.rpm === b.rpm &&
      a.rpd === b.rpd &&
      a.tpm === b.tpm &&
      a.maxConcurrent === b.maxConcurrent &&
      a.spendCapUsd === b.spendCapUsd &&
      a.spendPeriod === b.spendPeriod)
  );
}

export function hasRateLimits(l: KeyLimits): boolean {
  return l.rpm !== null || l.rpd !== null || l.tpm !== null || l.maxConcurrent !== null;
}

/** The calendar month (UTC) a time falls in, e.g. "2026-11"; names the monthly spend bucket. */
/** The current month is asked for on every request; format it once per month, not once per call. */
let cachedMonth = { from: 0, until: 0, label: "" };

export function monthOf(ms: number): string {
  if (ms >= cachedMonth.from && ms < cachedMonth.until) return cachedMonth.label;
  const d = new Date(ms);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const until = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
  const label = d.toISOString().slice(0, 7);
  if (ms >= from) cachedMonth = { from, until, label };
  return label;
}

export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The spend bucket a key's cap counts against right now. */
export function spendBucket(limits: KeyLimits, nowMs: number): string {
  return limits.spendPeriod === "month" ? `m:${monthOf(nowMs)}` : "total";
}
