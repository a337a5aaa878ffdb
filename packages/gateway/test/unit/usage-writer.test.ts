import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import type { Store } from "../../src/store/types.js";
import type { UsageBatch } from "../../src/store/usage-batch.js";
import { UsageWriter } from "../../src/usage/usage-writer.js";
import { usageEvent } from "../helpers/usage-event.js";

/** How long events wait in memory: the crash-loss window (docs/hardening.md). */

const event = (i: number) => usageEvent({ requestId: `req_${i}` });

let dir: string;
let store: Store;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "meshapi-writer-"));
  store = await openStore({ dataDir: dir });
});
afterEach(async () => {
  vi.useRealTimers();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("UsageWriter's in-memory window", () => {
  it("a batch that came due during another write goes out when that write ends, not an interval later", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const sizes: number[] = [];
    // The real store behind a gate: the first write hangs until released (a slow disk).
    const slowFirst: Store = Object.create(store, {
      insertUsageBatch: {
        value: async (batch: UsageBatch) => {
          sizes.push(batch.rows);
          if (sizes.length === 1) await gate;
          return store.insertUsageBatch(batch);
        },
      },
    });
    const writer = new UsageWriter(slowFirst, {
      batchSize: 10,
      flushIntervalMs: 50,
      maxQueued: 1000,
      onError: () => {},
    });
    for (let i = 0; i < 10; i++) writer.record(event(i));
    expect(sizes).toEqual([10]);
    writer.record(event(10));
    // Its interval passes while the first write is still on the disk.
    vi.advanceTimersByTime(200);
    expect(sizes).toEqual([10]);
    release();
    // Only real time passes from here (vi.waitFor would move the fake clock, and fire a fresh timer).
    const deadline = Date.now() + 5_000;
    while (sizes.length < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(sizes).toEqual([10, 1]);
  });

  it("a failed write is retried after retryDelayMs, however long the flush interval", async () => {
    let failures = 1;
    const flaky: Store = Object.create(store, {
      insertUsageBatch: {
        value: (batch: UsageBatch) =>
          failures-- > 0 ? Promise.reject(new Error("connection reset")) : store.insertUsageBatch(batch),
      },
    });
    const errors: unknown[] = [];
    const writer = new UsageWriter(flaky, {
      batchSize: 1,
      flushIntervalMs: 600_000,
      retryDelayMs: 10,
      maxQueued: 1000,
      onError: (e) => errors.push(e),
    });
    writer.record(event(1));
    await vi.waitFor(async () => expect(await store.countUsageEvents()).toBe(1), { timeout: 5_000 });
    expect(errors).toHaveLength(1);
    expect(writer.pending).toBe(0);
  });
});
