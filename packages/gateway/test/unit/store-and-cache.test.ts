import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { KeyCache } from "../../src/keys/key-cache.js";
import { KeyService } from "../../src/keys/key-service.js";
import { openStore, SQLITE_FILE_NAME } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import type { UsageBatch } from "../../src/store/usage-batch.js";
import { UsageWriter } from "../../src/usage/usage-writer.js";
import { usageEvent } from "../helpers/usage-event.js";

const event = (i: number) => usageEvent({ requestId: `req_${i}` });

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "meshapi-store-"));
  store = await openStore({ dataDir: dir });
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SQLite store", () => {
  it("migrates idempotently and round-trips keys", async () => {
    await store.migrate();
    const keys = new KeyService(store);
    const { record, key } = await keys.create("a");
    expect(key).toMatch(/^rsk_/);
    expect((await store.getKey(record.id))?.name).toBe("a");
    await keys.remove(record.id);
    expect(await store.getKey(record.id)).toBeUndefined();
    expect((await store.keysChangedSince(0)).find((k) => k.id === record.id)?.deletedAt).not.toBeNull();
  });

  it("indexes only events with a session_id, and filters on one still use that index", async () => {
    await store.insertUsageEvents([
      usageEvent({ requestId: "req_s1", sessionId: "s1" }),
      usageEvent({ requestId: "req_none" }),
    ]);
    const db = new Database(join(dir, SQLITE_FILE_NAME), { readonly: true });
    try {
      const index = db.prepare("SELECT sql FROM sqlite_master WHERE name = 'usage_events_session'").get() as {
        sql: string;
      };
      expect(index.sql).toMatch(/WHERE "session_id" is not null/i);
      const plan = db
        .prepare(
          "EXPLAIN QUERY PLAN SELECT count(*) FROM usage_events WHERE session_id = ? AND created_at >= ?",
        )
        .all("s1", 0) as { detail: string }[];
      expect(plan.map((p) => p.detail).join(" ")).toContain("usage_events_session");
    } finally {
      db.close();
    }
    const rows = await store.queryUsage({
      since: 0,
      until: Date.now() + 1000,
      sessionId: "s1",
      groupBy: "model",
    });
    expect(rows.map((r) => r.requests)).toEqual([1]);
  });
});

describe("KeyCache", () => {
  it("sees changes made through another store handle (another process) on the next poll", async () => {
    const other = await openStore({ dataDir: dir });
    const cache = new KeyCache(store, {
      pollIntervalMs: 60_000,
      negativeTtlMs: 60_000,
      maxNegativeEntries: 10,
    });
    try {
      const { record, key } = await new KeyService(other).create("x");
      await cache.start();
      expect((await cache.lookup(key))?.status).toBe("active");
      await other.updateKey(record.id, { status: "suspended" });
      expect((await cache.lookup(key))?.status).toBe("active"); // cached until the poll
      await cache.poll();
      expect((await cache.lookup(key))?.status).toBe("suspended");
      await other.deleteKey(record.id);
      await cache.poll();
      expect(await cache.lookup(key)).toBeUndefined();
    } finally {
      cache.stop();
      await other.close();
    }
  });

  it("refuses unknown keys (remembered as misses) and finds keys created after start", async () => {
    const cache = new KeyCache(store, {
      pollIntervalMs: 60_000,
      negativeTtlMs: 60_000,
      maxNegativeEntries: 2,
    });
    await cache.start();
    const keys = new KeyService(store);
    const { key } = await keys.create("late");
    expect(await cache.lookup("rsk_01JAAAAAAAAAAAAAAAAAAAAAAA")).toBeUndefined();
    expect((await cache.lookup(key))?.name).toBe("late");
    cache.stop();
  });

  it("answers from memory without a promise once a key is cached, or known to be unknown", async () => {
    const { key } = await new KeyService(store).create("hot");
    const cache = new KeyCache(store, {
      pollIntervalMs: 60_000,
      negativeTtlMs: 60_000,
      maxNegativeEntries: 10,
    });
    await cache.start();
    const hit = cache.lookup(key);
    expect(hit).not.toBeInstanceOf(Promise);
    expect((hit as { name: string }).name).toBe("hot");
    const unknown = "rsk_01JBBBBBBBBBBBBBBBBBBBBBBB";
    expect(cache.lookup(unknown)).toBeInstanceOf(Promise); // first time: the store is asked
    expect(await cache.lookup(unknown)).toBeUndefined();
    expect(cache.lookup(unknown)).toBeUndefined(); // then remembered as a miss, synchronously
    cache.stop();
  });
});

describe("UsageWriter", () => {
  it("batches off the request path and flush drains everything", async () => {
    const writer = new UsageWriter(store, {
      batchSize: 50,
      flushIntervalMs: 10_000,
      maxQueued: 10_000,
      onError: () => {},
    });
    for (let i = 0; i < 120; i++) writer.record(event(i));
    await writer.flush();
    expect(await store.countUsageEvents()).toBe(120);
    expect(writer.pending).toBe(0);
  });

  it("drains a backlog of full batches back to back, without waiting for the timer", async () => {
    const sizes: number[] = [];
    const counting: Store = Object.create(store, {
      insertUsageBatch: {
        value: (batch: UsageBatch) => {
          sizes.push(batch.rows);
          return store.insertUsageBatch(batch);
        },
      },
    });
    const writer = new UsageWriter(counting, {
      batchSize: 10,
      flushIntervalMs: 60_000,
      maxQueued: 10_000,
      onError: () => {},
    });
    // The first batch goes out at once; the other four queue behind it while it is written.
    for (let i = 0; i < 50; i++) writer.record(event(i));
    await vi.waitFor(async () => expect(await store.countUsageEvents()).toBe(50), { timeout: 5_000 });
    expect(sizes).toEqual([10, 10, 10, 10, 10]);
    expect(writer.pending).toBe(0);
  });

  it("records nothing when accounting is switched off", async () => {
    const writer = new UsageWriter(store, {
      batchSize: 1,
      flushIntervalMs: 10,
      maxQueued: 10_000,
      enabled: false,
      onError: () => {},
    });
    for (let i = 0; i < 5; i++) writer.record(event(i));
    expect(writer.pending).toBe(0);
    await writer.flush();
    expect(await store.countUsageEvents()).toBe(0);
  });

  it("keeps a failed batch and writes it once the store recovers", async () => {
    let failures = 1;
    const flaky: Store = Object.create(store, {
      insertUsageBatch: {
        value: (batch: UsageBatch) =>
          failures-- > 0 ? Promise.reject(new Error("disk full")) : store.insertUsageBatch(batch),
      },
    });
    const errors: unknown[] = [];
    const writer = new UsageWriter(flaky, {
      batchSize: 10,
      flushIntervalMs: 10_000,
      maxQueued: 1000,
      onError: (e) => errors.push(e),
    });
    for (let i = 0; i < 10; i++) writer.record(event(i));
    await writer.flush();
    expect(errors).toHaveLength(1);
    expect(await store.countUsageEvents()).toBe(10);
  });

  it("drops the oldest past maxQueued while the store is down, then writes the rest in order", async () => {
    let healthy = false;
    const written: string[] = [];
    const recovering: Store = Object.create(store, {
      insertUsageBatch: {
        value: (batch: UsageBatch) => {
          if (!healthy) return Promise.reject(new Error("database unreachable"));
          written.push(...batch.events().map((e) => e.requestId));
          return Promise.resolve();
        },
      },
    });
    const drops: [number, number][] = [];
    const writer = new UsageWriter(recovering, {
      batchSize: 100,
      flushIntervalMs: 10_000,
      maxQueued: 1000,
      onError: () => {},
      onDrop: (n, total) => drops.push([n, total]),
    });
    // The first 100 go out as a batch (and fail); the queue then holds at most 1,000.
    for (let i = 0; i < 5000; i++) writer.record(event(i));
    expect(writer.pending).toBe(1000);
    expect(writer.dropped).toBe(3900);
    // A batch at a time, each reported with the running total.
    expect(drops).toHaveLength(39);
    expect(drops.at(-1)).toEqual([100, 3900]);
    await new Promise((r) => setImmediate(r));
    healthy = true;
    await writer.flush();
    const expected = [
      ...Array.from({ length: 100 }, (_, i) => i),
      ...Array.from({ length: 1000 }, (_, i) => 4000 + i),
    ];
    expect(written).toEqual(expected.map((i) => `req_${i}`));
    expect(writer.pending).toBe(0);
  });
});
