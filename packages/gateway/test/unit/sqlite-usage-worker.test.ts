import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, SQLITE_FILE_NAME } from "../../src/store/open-store.js";
import { SqliteUsageWorker } from "../../src/store/sqlite-usage-worker.js";
import type { Store, UsageEvent } from "../../src/store/types.js";
import { UsageBatch } from "../../src/store/usage-batch.js";
import { USAGE_INSERT } from "../../src/store/usage-insert.js";
import { usageEvent } from "../helpers/usage-event.js";

const event = (i: number, keyId = "key_w", overrides: Partial<UsageEvent> = {}) =>
  usageEvent({
    requestId: `req_w${i}`,
    keyId,
    model: "openai/gpt-4o-mini",
    sessionId: i % 2 === 0 ? "s-even" : null,
    stream: i % 3 === 0,
    promptTokens: 10,
    completionTokens: i,
    costUsd: 0.000_001 * i,
    latencyMs: 2.6,
    ttftMs: i % 3 === 0 ? 1.2 : null,
    ...overrides,
  });

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "meshapi-usage-worker-"));
  store = await openStore({ dataDir: dir });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("usage events on the SQLite worker thread", () => {
  it("lands every field of every event in the file the main connection reads", async () => {
    await store.insertUsageEvents(Array.from({ length: 250 }, (_, i) => event(i)));
    await store.insertUsageEvents([event(1000, "key_other")]);
    expect(await store.countUsageEvents()).toBe(251);
    const [row] = await store.queryUsage({ keyId: "key_w", groupBy: "session_id", sessionId: "s-even" });
    expect(row).toMatchObject({ requests: 125, promptTokens: 1250 });
    const spend = await store.spendByKey(0);
    expect(spend.get("key_other")).toBeCloseTo(0.001, 9);
  });

  it("writes each row's own values, in order, across the multi-row statements of a batch", async () => {
    // 123 rows = statements of 45, 45 and 33 rows; then a batch of 1 (a statement of its own size).
    const events = Array.from({ length: 123 }, (_, i) =>
      event(i, i % 7 === 0 ? "key_x" : "key_w", {
        user: i % 5 === 0 ? `u${i}` : null,
        errorCode: i % 11 === 0 ? "upstream_error" : null,
        status: i % 11 === 0 ? 502 : 200,
        estimated: i % 4 === 0,
        createdAt: 1_700_000_000_000 + i,
        attempts: 1 + (i % 2),
        attemptLog: i % 2 === 1 ? `[{"attempt":1,"row":${i}},{"attempt":2}]` : null,
        cacheHit: i % 5 === 0,
      }),
    );
    const worker = new SqliteUsageWorker(join(dir, SQLITE_FILE_NAME), USAGE_INSERT);
    try {
      await worker.insert(UsageBatch.of(events).packed());
      await worker.insert(UsageBatch.of([event(999)]).packed());
    } finally {
      await worker.close();
    }
    const db = new BetterSqlite3(join(dir, SQLITE_FILE_NAME), { readonly: true });
    try {
      const rows = db.prepare("SELECT * FROM usage_events ORDER BY id").all() as Record<string, unknown>[];
      expect(rows).toHaveLength(124);
      events.forEach((e, i) => {
        expect(rows[i]).toEqual({
          id: i + 1,
          request_id: e.requestId,
          key_id: e.keyId,
          provider: e.provider,
          model: e.model,
          session_id: e.sessionId,
          end_user: e.user,
          stream: e.stream ? 1 : 0,
          prompt_tokens: e.promptTokens,
          completion_tokens: e.completionTokens,
          cached_tokens: e.cachedTokens,
          reasoning_tokens: e.reasoningTokens,
          cost_usd: e.costUsd,
          estimated: e.estimated ? 1 : 0,
          latency_ms: 3,
          ttft_ms: e.ttftMs === null ? null : 1,
          status: e.status,
          error_code: e.errorCode,
          created_at: e.createdAt,
          deployment: e.deployment,
          attempts: e.attempts,
          attempt_log: e.attemptLog,
          cache_hit: e.cacheHit ? 1 : 0,
        });
      });
      expect(rows[123]).toMatchObject({ request_id: "req_w999", completion_tokens: 999 });
    } finally {
      db.close();
    }
  });

  it("rejects a batch the database refuses, keeps nothing of it, and goes on serving", async () => {
    const worker = new SqliteUsageWorker(join(dir, SQLITE_FILE_NAME), USAGE_INSERT);
    try {
      // request_id is NOT NULL: row 60 (in the second statement of 50 rows) fails, so the whole
      // transaction is rolled back, the first statement's 50 rows included.
      const packed = UsageBatch.of(Array.from({ length: 70 }, (_, i) => event(i))).packed();
      packed.requestIds[60] = null as unknown as string;
      await expect(worker.insert(packed)).rejects.toThrow(/NOT NULL/);
      expect(await store.countUsageEvents()).toBe(0);
      await worker.insert(UsageBatch.of([event(3)]).packed());
      expect(await store.countUsageEvents()).toBe(1);
    } finally {
      await worker.close();
    }
  });

  it("refuses writes after close instead of losing them silently", async () => {
    const worker = new SqliteUsageWorker(join(dir, SQLITE_FILE_NAME), USAGE_INSERT);
    await worker.insert(UsageBatch.of([event(1)]).packed());
    await worker.close();
    await expect(worker.insert(UsageBatch.of([event(2)]).packed())).rejects.toThrow(/closed/);
    expect(await store.countUsageEvents()).toBe(1);
  });
});
