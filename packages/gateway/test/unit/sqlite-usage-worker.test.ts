import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openStore, SQLITE_FILE_NAME } from "../../src/store/open-store.js";
import { SqliteUsageWorker } from "../../src/store/sqlite-usage-worker.js";
import type { Store } from "../../src/store/types.js";
import { USAGE_INSERT_SQL, usageRow } from "../../src/store/usage-insert.js";
import { usageEvent } from "../helpers/usage-event.js";

const event = (i: number, keyId = "key_w") =>
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

  it("rejects a batch the database refuses, keeps nothing of it, and goes on serving", async () => {
    const worker = new SqliteUsageWorker(join(dir, SQLITE_FILE_NAME), USAGE_INSERT_SQL);
    try {
      // request_id is NOT NULL: the second row fails, so the whole transaction is rolled back.
      const broken = usageRow(event(2));
      broken[0] = null;
      await expect(worker.insert([usageRow(event(1)), broken])).rejects.toThrow(/NOT NULL/);
      expect(await store.countUsageEvents()).toBe(0);
      await worker.insert([usageRow(event(3))]);
      expect(await store.countUsageEvents()).toBe(1);
    } finally {
      await worker.close();
    }
  });

  it("refuses writes after close instead of losing them silently", async () => {
    const worker = new SqliteUsageWorker(join(dir, SQLITE_FILE_NAME), USAGE_INSERT_SQL);
    await worker.insert([usageRow(event(1))]);
    await worker.close();
    await expect(worker.insert([usageRow(event(2))])).rejects.toThrow(/closed/);
    expect(await store.countUsageEvents()).toBe(1);
  });
});
