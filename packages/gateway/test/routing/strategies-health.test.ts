import { describe, expect, it } from "vitest";
import { DeploymentStats } from "../../src/routing/deployment-stats.js";
import type { Deployment } from "../../src/routing/deployments.js";
import { LocalHealth } from "../../src/routing/health.js";
import { checkModelAccess, modelAllowed, parseModelList } from "../../src/routing/model-access.js";
import { backoffMs, requestedRetries } from "../../src/routing/retry-policy.js";
import { ROUTING_DEFAULTS } from "../../src/routing/routing-config.js";
import { orderDeployments } from "../../src/routing/strategies.js";
import type { ApiKeyRecord } from "../../src/store/types.js";
import { NO_LIMITS } from "../../src/store/types.js";
import { fakeDeployment } from "./fixtures.js";

/** A deterministic stream of numbers in [0, 1) (a linear congruential generator). */
function seeded(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1_103_515_245 + 12_345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

const ids = (ds: readonly Deployment[]) => ds.map((d) => d.id);

describe("strategies", () => {
  const a = fakeDeployment("a", 3);
  const b = fakeDeployment("b", 1);
  const c = fakeDeployment("c", 1);

  it("priority keeps the configured order", () => {
    expect(ids(orderDeployments("priority", [a, b, c], new DeploymentStats()))).toEqual(["a", "b", "c"]);
  });

  it("weighted picks each deployment first in proportion to its weight, and lists every one", () => {
    const random = seeded(7);
    const firsts = new Map<string, number>();
    for (let i = 0; i < 5_000; i++) {
      const order = ids(orderDeployments("weighted", [a, b, c], new DeploymentStats(), random));
      expect([...order].sort()).toEqual(["a", "b", "c"]);
      firsts.set(order[0] as string, (firsts.get(order[0] as string) ?? 0) + 1);
    }
    // Expected shares 0.6, 0.2, 0.2.
    expect((firsts.get("a") ?? 0) / 5_000).toBeGreaterThan(0.56);
    expect((firsts.get("a") ?? 0) / 5_000).toBeLessThan(0.64);
    expect((firsts.get("b") ?? 0) / 5_000).toBeGreaterThan(0.17);
    expect((firsts.get("c") ?? 0) / 5_000).toBeGreaterThan(0.17);
  });

  it("least-busy puts the deployment with the fewest requests in flight first, ties in configured order", () => {
    const stats = new DeploymentStats();
    stats.started("a");
    stats.started("a");
    stats.started("b");
    expect(ids(orderDeployments("least-busy", [a, b, c], stats))).toEqual(["c", "b", "a"]);
    stats.ended("a", 5);
    stats.ended("a", 5);
    expect(ids(orderDeployments("least-busy", [a, b, c], stats))).toEqual(["a", "c", "b"]);
  });

  it("latency puts the lowest moving average first, and a deployment never measured before all", () => {
    const stats = new DeploymentStats(0.5);
    stats.started("a");
    stats.ended("a", 100);
    stats.started("b");
    stats.ended("b", 40);
    expect(ids(orderDeployments("latency", [a, b, c], stats))).toEqual(["c", "b", "a"]);
    stats.started("c");
    stats.ended("c", 60);
    stats.started("b");
    stats.ended("b", 200); // average of b: 40 + 0.5 · (200 − 40) = 120
    expect(ids(orderDeployments("latency", [a, b, c], stats))).toEqual(["c", "a", "b"]);
  });
});

describe("LocalHealth (circuit breaker)", () => {
  const policy = { failures: 3, windowMs: 1_000, cooldownMs: 500, maxCooldownMs: 2_000 };
  const setup = () => {
    let now = 10_000;
    const health = new LocalHealth(policy, () => now);
    return { health, advance: (ms: number) => (now += ms) };
  };

  it("takes a deployment out after N failures in the window, then lets exactly one probe in", () => {
    const { health, advance } = setup();
    health.failed("a", { probe: false });
    health.failed("a", { probe: false });
    expect(health.standing("a")).toBe("up");
    health.failed("a", { probe: false });
    expect(health.standing("a")).toBe("cooling");
    expect(health.coolingFor("a")).toBe(500);
    advance(499);
    expect(health.standing("a")).toBe("cooling");
    advance(1);
    expect(health.standing("a")).toBe("probe");
    expect(health.claimProbe("a")).toBe(true);
    expect(health.claimProbe("a")).toBe(false);
    expect(health.standing("a")).toBe("cooling");
    health.succeeded("a");
    expect(health.standing("a")).toBe("up");
  });

  it("a failed probe starts another cooldown at once; a released probe lets the next request probe", () => {
    const { health, advance } = setup();
    for (let i = 0; i < 3; i++) health.failed("a", { probe: false });
    advance(500);
    expect(health.claimProbe("a")).toBe(true);
    health.releaseProbe("a");
    expect(health.claimProbe("a")).toBe(true);
    health.failed("a", { probe: true });
    expect(health.standing("a")).toBe("cooling");
    expect(health.coolingFor("a")).toBe(500);
  });

  it("counts failures per window: old ones expire", () => {
    const { health, advance } = setup();
    health.failed("a", { probe: false });
    health.failed("a", { probe: false });
    advance(1_000);
    health.failed("a", { probe: false });
    expect(health.standing("a")).toBe("up");
  });

  it("a Retry-After cools the deployment for that long, capped, on the first failure", () => {
    const { health } = setup();
    health.failed("a", { probe: false, retryAfterMs: 1_500 });
    expect(health.coolingFor("a")).toBe(1_500);
    health.failed("b", { probe: false, retryAfterMs: 60_000 });
    expect(health.coolingFor("b")).toBe(2_000);
    expect(health.standing("c")).toBe("up");
  });
});

describe("retry policy", () => {
  const policy = { ...ROUTING_DEFAULTS.retry, baseDelayMs: 100, maxDelayMs: 1_000 };

  it("backs off exponentially with jitter within [ceiling/2, ceiling], capped", () => {
    expect(backoffMs(policy, 0, () => 0)).toBe(50);
    expect(backoffMs(policy, 0, () => 0.999_999)).toBe(100);
    expect(backoffMs(policy, 2, () => 0)).toBe(200);
    expect(backoffMs(policy, 9, () => 0.999_999)).toBe(1_000);
  });

  it("reads x-meshapi-retries, refusing anything but 0-10", () => {
    expect(requestedRetries({})).toBeUndefined();
    expect(requestedRetries({ "x-meshapi-retries": "0" })).toBe(0);
    expect(requestedRetries({ "x-meshapi-retries": "10" })).toBe(10);
    for (const bad of ["11", "-1", "two", "1.5", ""]) {
      expect(() => requestedRetries({ "x-meshapi-retries": bad })).toThrow(/x-meshapi-retries/);
    }
  });
});

describe("model access", () => {
  const key = (allowedModels: readonly string[] | null): ApiKeyRecord => ({
    id: "key_1",
    name: "k",
    keyHash: "h",
    displayPrefix: "rsk_",
    status: "active",
    createdAt: 0,
    updatedAt: 0,
    deletedAt: null,
    limits: NO_LIMITS,
    allowedModels,
  });

  it("matches exact names, provider wildcards and globs; null allows everything", () => {
    const k = key(["openai/*", "anthropic/claude-sonnet-4.5", "mesh/chat", "google/gemini-*-flash"]);
    expect(modelAllowed(k, "openai/gpt-4o")).toBe(true);
    expect(modelAllowed(k, "anthropic/claude-sonnet-4.5")).toBe(true);
    expect(modelAllowed(k, "anthropic/claude-opus-4-5")).toBe(false);
    expect(modelAllowed(k, "mesh/chat")).toBe(true);
    expect(modelAllowed(k, "google/gemini-2.5-flash")).toBe(true);
    expect(modelAllowed(k, "google/gemini-2.5-pro")).toBe(false);
    expect(modelAllowed(k, "openaix/gpt")).toBe(false);
    expect(modelAllowed(key(null), "anything/at-all")).toBe(true);
    expect(modelAllowed(key([]), "openai/gpt-4o")).toBe(false);
  });

  it("refuses a request whose model or any fallback is outside the list, naming it", () => {
    const k = key(["openai/*"]);
    expect(() => checkModelAccess(k, "openai/gpt-4o", ["openai/gpt-4o-mini"])).not.toThrow();
    expect(() => checkModelAccess(k, "anthropic/claude-haiku-4-5")).toThrow(
      expect.objectContaining({ code: "model_not_allowed", status: 403, param: "model" }),
    );
    expect(() => checkModelAccess(k, "openai/gpt-4o", ["google/gemini-2.5-flash"])).toThrow(
      expect.objectContaining({ code: "model_not_allowed", param: "models" }),
    );
  });

  it("parses the CLI's comma-separated list", () => {
    expect(parseModelList("openai/*, anthropic/claude-sonnet-4.5")).toEqual([
      "openai/*",
      "anthropic/claude-sonnet-4.5",
    ]);
    expect(parseModelList("all")).toBeNull();
    expect(parseModelList("*")).toBeNull();
  });
});
