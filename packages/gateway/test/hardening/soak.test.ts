import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runNode } from "../helpers/cli.js";

const SOAK = fileURLToPath(new URL("../../../../bench/soak.mjs", import.meta.url));

interface SoakSummary {
  pass: boolean;
  failures: string[];
  sent: number;
  completed: number;
  byKind: Record<string, number>;
  unexpected5xx: number;
  unexpected: Record<string, number>;
  networkErrors: number;
  memory: { samples: number; slopeMbPerMin: number | null; maxMb: number | null; startMb: number | null };
  perBucket: { requests: number; p50Ms: number | null; p99Ms: number | null }[];
}

async function runSoak(
  env: Record<string, string>,
): Promise<{ code: number | null; summary: SoakSummary; stderr: string }> {
  const { code, stdout, stderr } = await runNode([SOAK], env);
  try {
    return { code, summary: JSON.parse(stdout.trim().split("\n").at(-1) ?? ""), stderr };
  } catch {
    throw new Error(`no JSON summary (exit ${code}): ${stderr}`);
  }
}

// The short form of bench/soak.mjs: the real CLI gateway and simulator processes, mixed traffic
// (streams, non-streams, client cancels, injected upstream errors). Thirty seconds cannot measure a leak
// rate, so the memory bound here is generous; `npm run soak` runs the 30-minute form with a tight one.
describe("soak (short form)", () => {
  it("mixed traffic: no uninjected 5xx, no crash, every kind exercised, memory sampled and bounded", {
    timeout: 90_000,
  }, async () => {
    const { code, summary, stderr } = await runSoak({
      SOAK_SECONDS: "30",
      SOAK_RPS: "25",
      SOAK_WARMUP_SECONDS: "10",
      SOAK_SAMPLE_MS: "1000",
      SOAK_MAX_SLOPE_MB_PER_MIN: "300",
    });
    expect(summary.failures, stderr).toEqual([]);
    expect(code).toBe(0);
    expect(summary.unexpected5xx).toBe(0);
    expect(summary.networkErrors).toBe(0);
    expect(summary.unexpected).toEqual({});
    expect(summary.completed).toBe(summary.sent);
    expect(Object.keys(summary.byKind).sort()).toEqual(
      ["cancel", "json", "stream", "stream_cut", "stream_malformed", "upstream_429", "upstream_500"].sort(),
    );
    expect(summary.memory.samples).toBeGreaterThanOrEqual(20);
    expect(summary.memory.slopeMbPerMin).not.toBeNull();
    expect((summary.memory.maxMb ?? 0) - (summary.memory.startMb ?? 0)).toBeLessThan(400);
    expect(summary.perBucket.length).toBeGreaterThan(0);
    for (const b of summary.perBucket) expect(b.p99Ms).not.toBeNull();
  });
});
