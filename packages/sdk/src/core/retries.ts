/**
 * Retry policy: which failures are worth another attempt and how long to wait before it.
 * Pure functions, so the policy is tested without a network.
 */

/** Statuses that describe a transient condition on the way to (or inside) the gateway. */
const RETRYABLE_STATUSES = new Set([408, 429, 502, 503, 504]);

/** First backoff step; doubles per retry up to {@link MAX_BACKOFF_MS}. */
export const INITIAL_BACKOFF_MS = 500;
export const MAX_BACKOFF_MS = 8_000;
/**
 * Longest server-requested wait the SDK sits through on its own. A longer `Retry-After` means the
 * caller should decide (queue the work, tell the user), so the error is surfaced instead.
 */
export const MAX_RETRY_AFTER_MS = 60_000;

export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * The server's requested delay in milliseconds: `retry-after-ms` (a non-standard but common
 * millisecond form), else `Retry-After` as seconds or as an HTTP date. `undefined` when absent or
 * unreadable.
 */
export function parseRetryAfterMs(headers: Headers, now: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "") {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const header = headers.get("retry-after");
  if (header === null || header.trim() === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(header);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/**
 * Exponential backoff with jitter for retry number `retry` (0 for the first retry). The jitter takes
 * up to a quarter off, so concurrent clients that failed together do not come back together.
 */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const base = Math.min(INITIAL_BACKOFF_MS * 2 ** retry, MAX_BACKOFF_MS);
  return base * (1 - 0.25 * random());
}

/**
 * Delay before the next attempt, or `null` to give up: when the server asks for a wait longer than
 * {@link MAX_RETRY_AFTER_MS}.
 */
export function retryDelayMs(retry: number, serverDelayMs: number | undefined): number | null {
  if (serverDelayMs === undefined) return backoffMs(retry);
  return serverDelayMs <= MAX_RETRY_AFTER_MS ? serverDelayMs : null;
}
