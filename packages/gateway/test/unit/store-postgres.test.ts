import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyCache } from "../../src/keys/key-cache.js";
import { KeyService } from "../../src/keys/key-service.js";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import { createTestDatabase, postgresSkipNote } from "../helpers/postgres.js";

const enabled = Boolean(process.env.MESHAPI_TEST_DATABASE_URL);
if (!enabled) console.warn(postgresSkipNote);

describe.skipIf(!enabled)("PostgreSQL store", () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let store: Store;
  beforeAll(async () => {
    db = await createTestDatabase("store");
    store = await openStore({ databaseUrl: db?.url, dataDir: "unused" });
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("runs the same migrations and key lifecycle as SQLite", async () => {
    expect(store.dialect).toBe("postgres");
    await store.migrate(); // idempotent
    const keys = new KeyService(store);
    const { record, key } = await keys.create("pg");
    const cache = new KeyCache(store, {
      pollIntervalMs: 60_000,
      negativeTtlMs: 1000,
      maxNegativeEntries: 10,
    });
    await cache.start();
    expect((await cache.lookup(key))?.createdAt).toBe(record.createdAt);
    await keys.update(record.id, { status: "suspended" });
    await cache.poll();
    expect((await cache.lookup(key))?.status).toBe("suspended");
    cache.stop();
  });

  it("writes usage events in batches", async () => {
    const events = Array.from({ length: 700 }, (_, i) => ({
      requestId: `req_${i}`,
      keyId: "key_pg",
      provider: "openai",
      model: "openai/gpt-4o",
      sessionId: "s",
      user: null,
      stream: true,
      promptTokens: 3,
      completionTokens: 4,
      cachedTokens: 0,
      reasoningTokens: 0,
      costUsd: 0.5,
      estimated: false,
      latencyMs: 12.7,
      ttftMs: 3.2,
      status: 200,
      errorCode: null,
      createdAt: Date.now(),
      deployment: "openai/gpt-4o",
      attempts: i % 3 === 0 ? 2 : 1,
      attemptLog: i % 3 === 0 ? '[{"attempt":1},{"attempt":2}]' : null,
    }));
    await store.insertUsageEvents(events);
    expect(await store.countUsageEvents()).toBe(700);
    await store.ping();
  });

  it("indexes only events with a session_id", async () => {
    const client = new pg.Client({ connectionString: db?.url });
    await client.connect();
    try {
      const { rows } = await client.query(
        "SELECT indexdef FROM pg_indexes WHERE indexname = 'usage_events_session'",
      );
      expect(rows[0]?.indexdef).toMatch(/WHERE \(session_id IS NOT NULL\)/);
    } finally {
      await client.end();
    }
  });
});
