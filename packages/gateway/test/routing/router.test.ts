import pino from "pino";
import { describe, expect, it } from "vitest";
import { GatewayError } from "../../src/errors/catalog.js";
import { Cancellation } from "../../src/providers/cancellation.js";
import { DeploymentStats } from "../../src/routing/deployment-stats.js";
import type { Deployment, ModelRoute } from "../../src/routing/deployments.js";
import { LocalHealth } from "../../src/routing/health.js";
import { AttemptLog, Router } from "../../src/routing/router.js";
import type { RetryPolicy, Strategy } from "../../src/routing/routing-config.js";
import { fakeDeployment } from "./fixtures.js";

const retry: RetryPolicy = {
  retries: 2,
  baseDelayMs: 1,
  maxDelayMs: 4,
  maxRetryAfterMs: 50,
  deadlineMs: 10_000,
};
const cooldown = { failures: 2, windowMs: 60_000, cooldownMs: 60_000, maxCooldownMs: 60_000 };

function setup(overrides: Partial<RetryPolicy> = {}) {
  const health = new LocalHealth(cooldown);
  const router = new Router({
    health,
    stats: new DeploymentStats(),
    retry: { ...retry, ...overrides },
    log: pino({ level: "silent" }),
    random: () => 0.5,
  });
  return { health, router };
}

const route = (strategy: Strategy, ...ds: Deployment[]): ModelRoute => ({
  publicModel: "mesh/chat",
  strategy,
  deployments: ds,
});

const plan = (routes: ModelRoute[], retries = 2) => ({
  routes,
  retries,
  startedAt: performance.now(),
  signal: new Cancellation(),
  requestId: "req_test",
});

const fail503 = () => new GatewayError("upstream_error", "down", { status: 502 });
const fail429 = (s: number) =>
  new GatewayError("upstream_error", "slow down", { status: 429, retryAfterSeconds: s });

/** An attempt function that fails for the deployments in `failing` and answers with the id otherwise. */
function attempts(failing: Record<string, () => Error>) {
  const calls: string[] = [];
  const fn = async (d: Deployment) => {
    calls.push(d.id);
    const f = failing[d.id];
    if (f) throw f();
    return d.id;
  };
  return { calls, fn };
}

describe("Router", () => {
  it("fails over to the next deployment at once, and logs every attempt", async () => {
    const { router } = setup();
    const { calls, fn } = attempts({ a: fail503 });
    const log = new AttemptLog();
    const answer = await router.call(
      plan([route("priority", fakeDeployment("a"), fakeDeployment("b"))]),
      log,
      fn,
    );
    expect(answer).toBe("b");
    expect(calls).toEqual(["a", "b"]);
    expect(log.records.map((r) => [r.attempt, r.deployment, r.outcome, r.status])).toEqual([
      [1, "a", "upstream_error", 502],
      [2, "b", "ok", 200],
    ]);
    expect(log.deployment?.id).toBe("b");
    expect(log.waitedMs).toBe(0);
  });

  it("retries a lone deployment up to the budget with backoff, then answers with the last error", async () => {
    const { router } = setup();
    const { calls, fn } = attempts({ a: fail503 });
    const log = new AttemptLog();
    await expect(router.call(plan([route("priority", fakeDeployment("a"))], 2), log, fn)).rejects.toThrow(
      "down",
    );
    expect(calls).toEqual(["a", "a", "a"]);
    expect(log.waitedMs).toBeGreaterThan(0);
  });

  it("never retries an error about the request itself", async () => {
    const { router, health } = setup();
    const { calls, fn } = attempts({ a: () => new GatewayError("upstream_error", "bad", { status: 400 }) });
    await expect(
      router.call(plan([route("priority", fakeDeployment("a"), fakeDeployment("b"))]), new AttemptLog(), fn),
    ).rejects.toThrow("bad");
    expect(calls).toEqual(["a"]);
    expect(health.standing("a")).toBe("up");
  });

  it("with x-meshapi-retries 0, tries each requested model once (the `models` fallbacks)", async () => {
    const { router } = setup();
    const { calls, fn } = attempts({ a: fail503 });
    const routes = [
      route("priority", fakeDeployment("a"), fakeDeployment("x")),
      route("priority", fakeDeployment("b")),
    ];
    expect(await router.call(plan(routes, 0), new AttemptLog(), fn)).toBe("b");
    expect(calls).toEqual(["a", "b"]);
  });

  it("skips a cooling deployment while another can answer; tries it anyway when all are cooling", async () => {
    const { router, health } = setup();
    health.failed("a", { probe: false });
    health.failed("a", { probe: false });
    const ok = attempts({});
    expect(
      await router.call(
        plan([route("priority", fakeDeployment("a"), fakeDeployment("b"))]),
        new AttemptLog(),
        ok.fn,
      ),
    ).toBe("b");
    expect(ok.calls).toEqual(["b"]);
    const lone = attempts({});
    expect(await router.call(plan([route("priority", fakeDeployment("a"))]), new AttemptLog(), lone.fn)).toBe(
      "a",
    );
    // Its success restored it.
    expect(health.standing("a")).toBe("up");
  });

  it("waits out a short Retry-After on a lone deployment; a long one ends the model's turn at once", async () => {
    const short = setup();
    let n = 0;
    const log = new AttemptLog();
    const answer = await short.router.call(plan([route("priority", fakeDeployment("a"))]), log, async () => {
      if (n++ === 0) throw fail429(0.03);
      return "ok";
    });
    expect(answer).toBe("ok");
    expect(log.waitedMs).toBeGreaterThanOrEqual(30);

    const long = setup();
    const { calls, fn } = attempts({ a: () => fail429(5) });
    const routes = [route("priority", fakeDeployment("a")), route("priority", fakeDeployment("b"))];
    expect(await long.router.call(plan(routes), new AttemptLog(), fn)).toBe("b");
    expect(calls).toEqual(["a", "b"]);
    expect(long.health.standing("a")).toBe("cooling");
  });

  it("starts no attempt after the deadline", async () => {
    const { router } = setup({ deadlineMs: 1, baseDelayMs: 20, maxDelayMs: 20 });
    const { calls, fn } = attempts({ a: fail503 });
    await expect(
      router.call(plan([route("priority", fakeDeployment("a"))], 5), new AttemptLog(), fn),
    ).rejects.toThrow("down");
    expect(calls).toEqual(["a"]);
  });

  it("stops waiting at once when the client goes away during a backoff", async () => {
    const { router } = setup({ baseDelayMs: 5_000, maxDelayMs: 5_000 });
    const { calls, fn } = attempts({ a: fail503 });
    const p = plan([route("priority", fakeDeployment("a"))]);
    const pending = router.call(p, new AttemptLog(), fn);
    setTimeout(() => p.signal.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(calls).toEqual(["a"]);
  });

  it("trips a failing deployment's breaker: later requests go to the healthy one first", async () => {
    const { router, health } = setup();
    const { calls, fn } = attempts({ a: fail503 });
    const r = route("priority", fakeDeployment("a"), fakeDeployment("b"));
    await router.call(plan([r]), new AttemptLog(), fn);
    await router.call(plan([r]), new AttemptLog(), fn);
    expect(health.standing("a")).toBe("cooling");
    await router.call(plan([r]), new AttemptLog(), fn);
    expect(calls).toEqual(["a", "b", "a", "b", "b"]);
  });
});
