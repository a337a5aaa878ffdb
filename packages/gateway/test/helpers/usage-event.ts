import type { UsageEvent } from "../../src/store/types.js";

let seq = 0;

/** A successful, non-streaming usage event with small round numbers; override what a test cares about. */
export function usageEvent(overrides: Partial<UsageEvent> = {}): UsageEvent {
  return {
    requestId: `req_fixture_${++seq}`,
    keyId: "key_1",
    provider: "openai",
    model: "openai/gpt-4o",
    sessionId: null,
    user: null,
    stream: false,
    promptTokens: 1,
    completionTokens: 1,
    cachedTokens: 0,
    reasoningTokens: 0,
    costUsd: 0.001,
    estimated: false,
    latencyMs: 5,
    ttftMs: null,
    status: 200,
    errorCode: null,
    createdAt: Date.now(),
    deployment: "openai/gpt-4o",
    attempts: 1,
    attemptLog: null,
    cacheHit: false,
    ...overrides,
  };
}
