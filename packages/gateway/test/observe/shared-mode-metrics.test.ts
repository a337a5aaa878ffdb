import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MODES, sharedSkipNote } from "../governance/modes.js";
import { ask, type Harness, startHarness } from "../helpers/harness.js";
import { parseExposition, sampleValue } from "../helpers/prometheus.js";

const shared = MODES.find((m) => m.name === "shared");
if (!shared?.enabled) console.warn(sharedSkipNote);

describe.skipIf(!shared?.enabled)("GET /metrics in shared mode (PostgreSQL + Redis)", () => {
  let h: Harness;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const setup = await (shared as NonNullable<typeof shared>).setup("metrics");
    drop = setup.drop;
    h = await startHarness({ env: setup.env });
  });
  afterAll(async () => {
    await h?.close();
    await drop?.();
  });

  it("reports PostgreSQL and Redis as up, and decisions made by the shared limiter", async () => {
    const limited = await h.newKey("limited", { rpm: 1 });
    expect((await h.chat(ask("one"), { key: limited })).status).toBe(200);
    expect((await h.chat(ask("two"), { key: limited })).status).toBe(429);
    const samples = parseExposition(await (await fetch(`${h.url}/metrics`)).text());
    expect(sampleValue(samples, "meshapi_store_up", { dialect: "postgres" })).toBe(1);
    expect(sampleValue(samples, "meshapi_redis_up")).toBe(1);
    expect(sampleValue(samples, "meshapi_limiter_decisions_total", { decision: "admitted" })).toBe(1);
    expect(
      sampleValue(samples, "meshapi_limiter_decisions_total", { decision: "refused", limit: "rpm" }),
    ).toBe(1);
  });

  it("reports Redis as down once its connection is gone", async () => {
    const redis = (h.gateway.limiter as unknown as { redis: { disconnect(): void } }).redis;
    redis.disconnect();
    const redisUp = async () =>
      sampleValue(parseExposition(await (await fetch(`${h.url}/metrics`)).text()), "meshapi_redis_up");
    await expect.poll(redisUp, { timeout: 5_000 }).toBe(0);
  });
});
