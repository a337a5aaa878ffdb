import type { KeyLimits, Store } from "../store/types.js";
import { SlidingLog } from "./sliding-log.js";
import {
  type AdmitInput,
  type AdmitResult,
  DAY_MS,
  DAY_SLOT_MS,
  type Limiter,
  type LimitName,
  MINUTE_MS,
  monthOf,
  monthStart,
  type RateInfo,
  type Settlement,
  type Ticket,
  toNanos,
} from "./types.js";

interface KeyWindows {
  minute: SlidingLog;
  day: SlidingLog;
  tokens: SlidingLog;
  inflight: number;
}

interface KeySpend {
  total: number;
  month: string;
  monthly: number;
}

/**
 * The embedded limiter: every check and booking for a request happens in one synchronous step, so
 * concurrent requests on this process's event loop cannot interleave between check and book. Spend
 * is seeded from the recorded usage at start (all time and this month), so caps survive restarts.
 */
export class MemoryLimiter implements Limiter {
  readonly kind = "memory";
  private readonly windows = new Map<string, KeyWindows>();
  private readonly spend = new Map<string, KeySpend>();

  private constructor(private readonly now: () => number) {}

  static async create(store: Store, now: () => number = Date.now): Promise<MemoryLimiter> {
    const limiter = new MemoryLimiter(now);
    const at = now();
    const [total, monthly] = await Promise.all([store.spendByKey(0), store.spendByKey(monthStart(at))]);
    for (const [keyId, usd] of total) {
      limiter.spend.set(keyId, {
        total: toNanos(usd),
        month: monthOf(at),
        monthly: toNanos(monthly.get(keyId) ?? 0),
      });
    }
    return limiter;
  }

  /** Synchronous on purpose: check and book must not be split by an await. */
  admit(input: AdmitInput): AdmitResult {
    const now = this.now();
    const { limits } = input;
    const w = this.windowsOf(input.keyId);
    w.minute.prune(now);
    w.day.prune(now);
    w.tokens.prune(now);
    // The refusal (rare) is built only when there is one: no closure or headers object per request.
    let refused: LimitName | undefined;
    let limitValue = 0;
    let retryAfterMs = 0;
    if (limits.rpm !== null && w.minute.sum >= limits.rpm) {
      refused = "rpm";
      limitValue = limits.rpm;
      retryAfterMs = w.minute.msUntilOldestExpires(now);
    } else if (limits.rpd !== null && w.day.sum >= limits.rpd) {
      refused = "rpd";
      limitValue = limits.rpd;
      retryAfterMs = w.day.msUntilOldestExpires(now);
    } else if (limits.tpm !== null && w.tokens.sum >= limits.tpm) {
      refused = "tpm";
      limitValue = limits.tpm;
      retryAfterMs = w.tokens.msUntilOldestExpires(now);
    } else if (limits.maxConcurrent !== null && w.inflight >= limits.maxConcurrent) {
      refused = "max_concurrent";
      limitValue = limits.maxConcurrent;
      retryAfterMs = 1000;
    }
    const spend = this.spendOf(input.keyId, now);
    if (
      refused === undefined &&
      limits.spendCapUsd !== null &&
      periodSpend(spend, limits) >= toNanos(limits.spendCapUsd)
    ) {
      refused = "spend";
      limitValue = limits.spendCapUsd;
    }
    if (refused !== undefined) {
      return { ok: false, limit: refused, limitValue, retryAfterMs, info: rateInfo(limits, w, now) };
    }

    // Only the windows a limit needs are kept, so unlimited keys cost no memory per request.
    if (limits.rpm !== null) w.minute.add(now);
    if (limits.rpd !== null) w.day.add(now);
    w.inflight++;
    spend.total += input.reserveNanos;
    spend.monthly += input.reserveNanos;
    const ticket: Ticket = {
      keyId: input.keyId,
      requestId: input.requestId,
      reserveNanos: input.reserveNanos,
      booking: { month: spend.month, tokens: limits.tpm !== null },
    };
    return { ok: true, ticket, info: rateInfo(limits, w, now) };
  }

  settle(ticket: Ticket, s: Settlement): void {
    const now = this.now();
    const w = this.windowsOf(ticket.keyId);
    w.inflight = Math.max(0, w.inflight - 1);
    const booking = ticket.booking as { month: string; tokens: boolean };
    if (booking.tokens && s.tokens > 0) w.tokens.add(now, s.tokens);
    const spend = this.spendOf(ticket.keyId, now);
    const delta = s.costNanos - ticket.reserveNanos;
    spend.total = Math.max(0, spend.total + delta);
    // A reservation made last month was booked there; this month gets only the actual cost.
    spend.monthly = Math.max(0, spend.monthly + (booking.month === spend.month ? delta : s.costNanos));
  }

  async settled(): Promise<void> {}

  async spent(keyId: string, limits: KeyLimits): Promise<number> {
    return periodSpend(this.spendOf(keyId, this.now()), limits);
  }

  async close(): Promise<void> {}

  private windowsOf(keyId: string): KeyWindows {
    let w = this.windows.get(keyId);
    if (!w) {
      w = {
        minute: new SlidingLog(MINUTE_MS),
        // Per-second slots: a busy key's day log stays at most 86,400 entries (see SlidingLog).
        day: new SlidingLog(DAY_MS, DAY_SLOT_MS),
        tokens: new SlidingLog(MINUTE_MS),
        inflight: 0,
      };
      this.windows.set(keyId, w);
    }
    return w;
  }

  private spendOf(keyId: string, now: number): KeySpend {
    const month = monthOf(now);
    let s = this.spend.get(keyId);
    if (!s) {
      s = { total: 0, month, monthly: 0 };
      this.spend.set(keyId, s);
    } else if (s.month !== month) {
      s.month = month;
      s.monthly = 0;
    }
    return s;
  }
}

function periodSpend(s: KeySpend, limits: KeyLimits): number {
  return limits.spendPeriod === "month" ? s.monthly : s.total;
}

/** Requests are reported against the tighter window that is set: the minute when rpm is set, else the day. */
function rateInfo(limits: KeyLimits, w: KeyWindows, now: number): RateInfo {
  const info: RateInfo = {};
  const requestWindow =
    limits.rpm !== null
      ? { limit: limits.rpm, log: w.minute }
      : limits.rpd !== null
        ? { limit: limits.rpd, log: w.day }
        : undefined;
  if (requestWindow) {
    info.limitRequests = requestWindow.limit;
    info.remainingRequests = Math.max(0, requestWindow.limit - requestWindow.log.sum);
    info.resetRequestsMs = requestWindow.log.msUntilOldestExpires(now);
  }
  if (limits.tpm !== null) {
    info.limitTokens = limits.tpm;
    info.remainingTokens = Math.max(0, limits.tpm - w.tokens.sum);
    info.resetTokensMs = w.tokens.msUntilOldestExpires(now);
  }
  return info;
}
