import type { IncomingHttpHeaders } from "node:http";
import { GatewayError } from "../errors/catalog.js";
import { isRetryableUpstreamError } from "../providers/upstream-status.js";
import { MAX_RETRIES, type RetryPolicy } from "./routing-config.js";
import type { Random } from "./strategies.js";

/** The per-request header that overrides the configured number of retries. */
export const RETRIES_HEADER = "x-meshapi-retries";

/**
 * The retries a request asked for with `x-meshapi-retries` (0–10), or undefined when it sent none.
 * Anything else is a 400, never silently replaced by the default.
 */
export function requestedRetries(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers[RETRIES_HEADER];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? raw[0] : raw;
  const n = Number(value);
  if (value === undefined || !/^\s*\d{1,2}\s*$/.test(value) || n > MAX_RETRIES) {
    throw new GatewayError(
      "invalid_request",
      `${RETRIES_HEADER} must be a whole number from 0 to ${MAX_RETRIES}, got "${value ?? ""}".`,
      { param: RETRIES_HEADER },
    );
  }
  return n;
}

/**
 * How long to wait before the (k+1)-th retry of a deployment already tried: exponential from
 * `baseDelayMs`, capped at `maxDelayMs`, with "equal jitter" (half fixed, half random) so instances
 * that failed together do not come back together, yet every retry still waits a little.
 */
export function backoffMs(policy: RetryPolicy, k: number, random: Random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(k, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** What a failed attempt tells the router. */
export interface FailureKind {
  /** Another attempt (here or at another deployment) may succeed: 429, 5xx, timeout, connection. */
  retryable: boolean;
  /** The vendor's `Retry-After`, in ms, when it sent one with a 429 or 503. */
  retryAfterMs: number | undefined;
}

export function classifyFailure(err: unknown): FailureKind {
  const retryable = isRetryableUpstreamError(err);
  const seconds = err instanceof GatewayError ? err.retryAfterSeconds : undefined;
  return { retryable, retryAfterMs: retryable && seconds !== undefined ? seconds * 1000 : undefined };
}
