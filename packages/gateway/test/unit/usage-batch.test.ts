import { describe, expect, it } from "vitest";
import { columnValues, USAGE_COLUMNS, UsageBatch } from "../../src/store/usage-batch.js";
import { usageEvent } from "../helpers/usage-event.js";

const varied = (i: number) =>
  usageEvent({
    requestId: `req_b${i}`,
    keyId: i % 3 === 0 ? "key_a" : "key_b",
    provider: i % 4 === 0 ? null : "openai",
    model: i % 2 === 0 ? "openai/gpt-4o" : "anthropic/claude-haiku-4-5",
    sessionId: i % 5 === 0 ? `s${i}` : null,
    user: i % 7 === 0 ? "ünïcødé 🚀" : null,
    stream: i % 2 === 1,
    promptTokens: 100 + i,
    completionTokens: i,
    cachedTokens: i % 3,
    reasoningTokens: i % 2,
    costUsd: i % 6 === 0 ? null : 0.000_001_5 * i,
    estimated: i % 8 === 0,
    latencyMs: 10 + i,
    ttftMs: i % 2 === 1 ? 3 + i : null,
    status: i % 9 === 0 ? 502 : 200,
    errorCode: i % 9 === 0 ? "upstream_error" : null,
    createdAt: 1_764_000_000_000 + i,
    deployment: i % 4 === 0 ? null : "east",
    attempts: i % 4 === 0 ? 0 : 1 + (i % 3),
    attemptLog: i % 3 === 2 ? `[{"attempt":1,"i":${i}},{"attempt":2}]` : null,
    cacheHit: i % 10 === 0,
  });

describe("UsageBatch", () => {
  it("gives back every field of every event, nulls included, past its initial capacity", () => {
    const events = Array.from({ length: 37 }, (_, i) => varied(i));
    const batch = new UsageBatch(4);
    for (const e of events) batch.append(e);
    expect(batch.rows).toBe(37);
    expect(batch.events()).toEqual(events);
  });

  it("stores times as whole milliseconds, as the table does", () => {
    const [back] = UsageBatch.of([usageEvent({ latencyMs: 2.5, ttftMs: 1.49 })]).events();
    expect(back).toMatchObject({ latencyMs: 3, ttftMs: 1 });
  });

  it("keeps each distinct string once, however many rows and fields use it", () => {
    const packed = UsageBatch.of(Array.from({ length: 37 }, (_, i) => varied(i))).packed();
    expect(new Set(packed.strings).size).toBe(packed.strings.length);
    // key_a, key_b, openai, two models, s0…s35 (8 of them), the user, the error code, the deployment,
    // and the attempt logs (unique per row: 12 of the 37 rows have one).
    expect(packed.strings).toHaveLength(2 + 1 + 2 + 8 + 1 + 1 + 1 + 12);
    expect(packed.requestIds).toHaveLength(37);
  });

  it("decodes each INSERT column's value for a row", () => {
    const e = varied(9);
    const packed = UsageBatch.of([varied(1), e]).packed();
    expect(Object.fromEntries(USAGE_COLUMNS.map((c) => [c.name, columnValues(packed, c.source)[1]]))).toEqual(
      {
        request_id: "req_b9",
        key_id: "key_a",
        provider: "openai",
        model: "anthropic/claude-haiku-4-5",
        session_id: null,
        end_user: null,
        stream: 1,
        prompt_tokens: 109,
        completion_tokens: 9,
        cached_tokens: 0,
        reasoning_tokens: 1,
        cost_usd: e.costUsd,
        estimated: 0,
        latency_ms: 19,
        ttft_ms: 12,
        status: 502,
        error_code: "upstream_error",
        created_at: 1_764_000_000_009,
        deployment: "east",
        attempts: 1,
        attempt_log: null,
        cache_hit: 0,
      },
    );
  });
});
