import { describe, expect, it } from "vitest";
import { canReadProcMemory, readProcMemory, sampleRss } from "./proc-memory.mjs";

describe.runIf(canReadProcMemory())("proc-memory", () => {
  it("reads a live process's resident set and its high-water mark in MB", () => {
    const { rss, hwm } = readProcMemory(process.pid);
    expect(rss).toBeGreaterThan(1);
    expect(hwm).toBeGreaterThanOrEqual(rss);
  });

  it("keeps the highest RSS seen while it sampled", async () => {
    const sampler = sampleRss(process.pid, 10);
    // 64 MB touched, held for a few samples, then dropped.
    let block = Buffer.alloc(64 * 1024 * 1024, 1);
    const during = readProcMemory(process.pid).rss;
    await new Promise((r) => setTimeout(r, 50));
    block = undefined;
    const { peak, hwm } = sampler.stop();
    expect(block).toBeUndefined();
    // The 64 MB block was seen while it was held, though it was dropped before the sampler stopped.
    expect(peak).toBeGreaterThanOrEqual(during);
    expect(hwm).toBeGreaterThanOrEqual(during);
  });

  it("fails clearly for a process that does not exist", () => {
    expect(() => readProcMemory(2 ** 22 + 7)).toThrow();
  });
});
