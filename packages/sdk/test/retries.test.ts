import { describe, expect, it } from "vitest";
import {
  backoffMs,
  isRetryableStatus,
  MAX_BACKOFF_MS,
  MAX_RETRY_AFTER_MS,
  parseRetryAfterMs,
  retryDelayMs,
} from "../src/core/retries.js";

describe("retry policy", () => {
  it("retries exactly the transient statuses", () => {
    for (const status of [408, 429, 502, 503, 504]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [400, 401, 402, 403, 404, 409, 413, 422, 500, 501])
      expect(isRetryableStatus(status)).toBe(false);
  });

  it("reads retry-after-ms, then Retry-After seconds, then an HTTP date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfterMs(new Headers({ "retry-after-ms": "250", "retry-after": "9" }), now)).toBe(250);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "2" }), now)).toBe(2000);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "0.5" }), now)).toBe(500);
    expect(parseRetryAfterMs(new Headers({ "retry-after": "Wed, 01 Jan 2025 00:00:03 GMT" }), now)).toBe(
      3000,
    );
    // A date in the past means "now".
    expect(parseRetryAfterMs(new Headers({ "retry-after": "Tue, 31 Dec 2024 00:00:00 GMT" }), now)).toBe(0);
  });

  it("ignores missing, negative and unreadable values", () => {
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ "retry-after": "soon" }))).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ "retry-after": "-1" }))).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ "retry-after-ms": "abc", "retry-after": "1" }))).toBe(1000);
  });

  it("backs off exponentially with up to 25% jitter, capped", () => {
    expect(backoffMs(0, () => 0)).toBe(500);
    expect(backoffMs(0, () => 1)).toBe(375);
    expect(backoffMs(1, () => 0)).toBe(1000);
    expect(backoffMs(2, () => 0.5)).toBe(2000 * 0.875);
    expect(backoffMs(10, () => 0)).toBe(MAX_BACKOFF_MS);
  });

  it("honours the server's delay up to the cap and gives up beyond it", () => {
    expect(retryDelayMs(0, 1234)).toBe(1234);
    expect(retryDelayMs(3, 0)).toBe(0);
    expect(retryDelayMs(0, MAX_RETRY_AFTER_MS)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryDelayMs(0, MAX_RETRY_AFTER_MS + 1)).toBeNull();
    const fallback = retryDelayMs(1, undefined);
    expect(fallback).toBeGreaterThanOrEqual(750);
    expect(fallback).toBeLessThanOrEqual(1000);
  });
});
