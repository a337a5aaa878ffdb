import { describe, expect, it } from "vitest";
import { formatReset, writeRateLimitHeaders } from "../../src/limits/headers.js";
import { estimatePromptTokens, worstCaseNanos } from "../../src/limits/reservation.js";
import { SlidingLog } from "../../src/limits/sliding-log.js";
import type { RateInfo } from "../../src/limits/types.js";
import type { ChatRequest } from "../../src/pipeline/chat-request.js";
import { parseTime } from "../../src/usage/usage-report.js";

/** The headers as one object, as a response carries them. */
function rateLimitHeaders(info: RateInfo): Record<string, string> {
  const headers: Record<string, string> = {};
  writeRateLimitHeaders(info, (name, value) => {
    headers[name] = value;
  });
  return headers;
}

describe("sliding-window log", () => {
  it("counts exactly the events of the last window, whatever their spacing", () => {
    const log = new SlidingLog(60_000);
    for (let t = 0; t < 50; t++) log.add(t * 1000);
    log.prune(59_999);
    expect(log.count).toBe(50);
    log.prune(60_000); // the event at 0 is exactly one window old: gone
    expect(log.count).toBe(49);
    expect(log.msUntilOldestExpires(60_000)).toBe(1000);
    log.prune(200_000);
    expect(log.count).toBe(0);
    expect(log.msUntilOldestExpires(200_000)).toBe(0);
  });

  it("with a coarser resolution, books events at the end of their slot: one entry per slot, never early", () => {
    const log = new SlidingLog(86_400_000, 1000);
    for (let t = 1; t <= 3000; t++) log.add(t); // 3,000 events over three seconds
    log.prune(3000);
    expect(log.count).toBe(3);
    expect(log.sum).toBe(3000);
    // The event at 1 ms was booked at 1,000: it counts until 86,401,000, a little over a day, not less.
    log.prune(86_400_999);
    expect(log.sum).toBe(3000);
    expect(log.msUntilOldestExpires(86_400_999)).toBe(1);
    log.prune(86_401_000);
    expect(log.sum).toBe(2000);
  });

  it("keeps a running sum of weights through pruning and compaction", () => {
    const log = new SlidingLog(10);
    for (let t = 0; t < 5000; t++) {
      log.add(t, 2);
      log.prune(t);
    }
    expect(log.count).toBe(10);
    expect(log.sum).toBe(20);
  });
});

describe("reservations", () => {
  const req = (over: Record<string, unknown> = {}) =>
    ({ messages: [{ role: "user", content: "x".repeat(300) }], ...over }) as ChatRequest;
  const price = { input: 1, output: 10 };

  it("estimates the prompt on the high side of any tokenizer", () => {
    expect(estimatePromptTokens(req())).toBeGreaterThanOrEqual(100);
  });

  it("uses max_completion_tokens, max_tokens or the default, times n, at the dearest route", () => {
    const prompt = estimatePromptTokens(req());
    expect(worstCaseNanos(req({ max_tokens: 100 }), [price], 4096)).toBe(Math.round((prompt + 1000) * 1000));
    expect(worstCaseNanos(req({ max_completion_tokens: 10, max_tokens: 100 }), [price], 4096)).toBe(
      Math.round((prompt + 100) * 1000),
    );
    expect(worstCaseNanos(req({ n: 2 }), [price, { input: 2, output: 20 }], 50)).toBe(
      Math.round((prompt * 2 + 2 * 50 * 20) * 1000),
    );
    expect(worstCaseNanos(req(), [undefined], 4096)).toBe(0);
  });
});

describe("rate-limit headers and times", () => {
  it("writes only the families whose limit is set", () => {
    expect(rateLimitHeaders({})).toEqual({});
    expect(
      rateLimitHeaders({
        limitRequests: 50,
        remainingRequests: 49,
        resetRequestsMs: 59_001,
        limitTokens: 1000,
      }),
    ).toEqual({
      "x-ratelimit-limit-requests": "50",
      "x-ratelimit-remaining-requests": "49",
      "x-ratelimit-reset-requests": "60s",
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": "0",
      "x-ratelimit-reset-tokens": "0ms",
    });
    expect(formatReset(250.2)).toBe("251ms");
  });

  it("parses relative spans, ISO dates and Unix seconds", () => {
    const now = Date.UTC(2026, 10, 22);
    expect(parseTime("7d", now)).toBe(now - 7 * 86_400_000);
    expect(parseTime("30m", now)).toBe(now - 1_800_000);
    expect(parseTime("2026-11-01", now)).toBe(Date.UTC(2026, 10, 1));
    expect(parseTime("1790000000", now)).toBe(1_790_000_000_000);
    expect(parseTime("yesterday", now)).toBeUndefined();
  });
});
