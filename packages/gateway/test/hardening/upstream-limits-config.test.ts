/** The two knobs the upstream fault matrix added: the whole-call deadline and the largest upstream event. */
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULTS, loadConfig } from "../../src/config/config.js";

function fileWith(config: unknown): string {
  const path = join(tmpdir(), `meshapi-limits-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe("upstream limits config", () => {
  it("defaults: a 10-minute deadline per upstream call, 16 MiB per event", () => {
    const openai = loadConfig({ env: {} }).providers.get("openai");
    expect(openai?.timeouts.totalMs).toBe(600_000);
    expect(openai?.maxEventBytes).toBe(16 * 1024 * 1024);
    expect(DEFAULTS.timeouts.totalMs).toBeGreaterThan(DEFAULTS.timeouts.firstByteMs);
  });

  it("the environment sets both for every provider", () => {
    const config = loadConfig({
      env: { MESHAPI_UPSTREAM_TOTAL_TIMEOUT_MS: "90000", MESHAPI_UPSTREAM_MAX_EVENT_BYTES: "1048576" },
    });
    for (const name of ["openai", "anthropic", "google"]) {
      expect(config.providers.get(name)?.timeouts.totalMs).toBe(90_000);
      expect(config.providers.get(name)?.maxEventBytes).toBe(1_048_576);
    }
  });

  it("the file sets them, a provider's own timeouts.totalMs overrides the default", () => {
    const config = loadConfig({
      env: {},
      configPath: fileWith({
        timeouts: { totalMs: 120_000 },
        upstreamMaxEventBytes: 2_000_000,
        providers: { groq: { timeouts: { totalMs: 30_000 } } },
      }),
    });
    expect(config.providers.get("openai")?.timeouts.totalMs).toBe(120_000);
    expect(config.providers.get("groq")?.timeouts).toMatchObject({ totalMs: 30_000, idleMs: 60_000 });
    expect(config.providers.get("groq")?.maxEventBytes).toBe(2_000_000);
  });

  it("refuses a zero or negative value", () => {
    expect(() => loadConfig({ env: {}, configPath: fileWith({ timeouts: { totalMs: 0 } }) })).toThrow();
    expect(() => loadConfig({ env: {}, configPath: fileWith({ upstreamMaxEventBytes: -1 }) })).toThrow();
  });
});
