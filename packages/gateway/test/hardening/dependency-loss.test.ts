import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KeyService } from "../../src/keys/key-service.js";
import { openStore } from "../../src/store/open-store.js";
import { sharedEnabled } from "../governance/modes.js";
import { built, type ProcessRig, startRig, until } from "../governance/processes.js";
import type { ServerProcess } from "../helpers/cli.js";
import { ask } from "../helpers/harness.js";
import { type Answer, sleep, startLoad } from "./dependency-load.js";
import {
  type OwnServer,
  postgresAvailable,
  redisServerAvailable,
  startOwnPostgres,
  startOwnRedis,
} from "./dependency-servers.js";

/**
 * Shared mode (PostgreSQL store + Redis limiter) under 200 concurrent requests, with Redis, then
 * PostgreSQL, killed and restarted mid-load. Both are instances of the test's own on spare loopback
 * ports (see dependency-servers.ts), so killing them cannot disturb anything else on the machine.
 */

const missing = [
  !sharedEnabled && "MESHAPI_TEST_DATABASE_URL / MESHAPI_TEST_REDIS_URL",
  !redisServerAvailable && "redis-server",
  !postgresAvailable && "PostgreSQL 15 binaries (initdb, pg_ctl)",
  !built && "the built CLI (npm run build)",
].filter(Boolean);
if (missing.length > 0) console.warn(`skipping dependency-loss tests: missing ${missing.join(", ")}`);

const CONCURRENCY = 200;
/** Keys by index: no limits, rate limits only, a spend cap (each follows its own down-policy). */
const PLAIN = 0;
const RATE_LIMITED = 1;
const CAPPED = 2;

describe.skipIf(missing.length > 0)("dependencies lost under load (shared mode)", () => {
  let postgres: OwnServer;
  let redis: OwnServer;
  let rig: ProcessRig;
  let server: ServerProcess;
  let keys: string[];

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startOwnPostgres(), startOwnRedis()]);
    rig = await startRig({ MESHAPI_DATABASE_URL: postgres.url, MESHAPI_REDIS_URL: redis.url });
    // Keys straight into the store (one process start less per key than the CLI).
    const store = await openStore({ databaseUrl: postgres.url, dataDir: rig.dataDir });
    try {
      const service = new KeyService(store);
      const limits = [{}, { rpm: 1_000_000, tpm: 1_000_000_000 }, { spendCapUsd: 1_000 }];
      keys = [];
      for (const l of limits) keys.push((await service.create("load", l)).key);
    } finally {
      await store.close();
    }
    server = await rig.serve();
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
    await Promise.all([postgres?.close(), redis?.close()]);
  });

  /** 200 workers, `outage` run while they are at it, then load until recovered; returns the answers. */
  async function underLoad(outage: () => Promise<void>): Promise<Answer[]> {
    const load = startLoad({
      url: () => server.url,
      keys,
      concurrency: CONCURRENCY,
      body: (i) => ask(`load ${i}`),
    });
    await until(() => load.answers.length >= CONCURRENCY, 20_000);
    await outage();
    // Load goes on past recovery: requests after the restart must find the dependency again.
    const recovered = load.answers.length;
    await until(() => load.answers.length >= recovered + CONCURRENCY, 20_000);
    await load.stop();
    expect(load.failures).toBe(0);
    return load.answers;
  }

  /** Waits until every answered request has its usage row; returns the rows' request ids. */
  async function usageRows(expected: number): Promise<Set<string>> {
    const client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    try {
      const count = async () =>
        Number((await client.query("SELECT count(*) AS n FROM usage_events")).rows[0].n);
      const waited = await until(async () => (await count()) >= expected, 15_000).catch(() => -1);
      console.log(
        `${expected} answers so far; their usage rows all written ${waited} ms after the load stopped`,
      );
      const { rows } = await client.query<{ request_id: string }>("SELECT request_id FROM usage_events");
      return new Set(rows.map((r) => r.request_id));
    } finally {
      await client.end();
    }
  }

  async function metric(name: string): Promise<number> {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const line = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
    if (!line) throw new Error(`no ${name} in /metrics`);
    return Number(line[1]);
  }
  const queueDepth = () => metric("meshapi_usage_queue_depth");

  const answered: Answer[] = [];

  it("Redis killed and restarted: spend-capped keys get 503, others are served; no crash, no event lost", async () => {
    const answers = await underLoad(async () => {
      await redis.stop();
      await sleep(1_000);
      await redis.start();
    });
    answered.push(...answers);
    const refused = answers.filter((a) => a.status === 503).length;
    console.log(`Redis outage: ${answers.length} answers, ${refused} of them 503 (spend-capped key)`);
    expect(server.child.exitCode).toBeNull();
    // The documented down-policies: MESHAPI_REDIS_DOWN_LIMITS=open, MESHAPI_REDIS_DOWN_SPEND=closed.
    const byKey = (k: number) => answers.filter((a) => a.key === k);
    expect(byKey(PLAIN).every((a) => a.status === 200)).toBe(true);
    expect(byKey(RATE_LIMITED).every((a) => a.status === 200)).toBe(true);
    const capped = byKey(CAPPED);
    expect(new Set(capped.map((a) => a.status))).toEqual(new Set([200, 503]));
    // Redis back: the capped key is served again (its counter re-seeded from usage_events).
    expect(capped.slice(-20).every((a) => a.status === 200)).toBe(true);

    const rows = await usageRows(answered.length);
    expect(answers.every((a) => a.requestId !== undefined && rows.has(a.requestId))).toBe(true);
    expect(rows.size).toBe(answered.length);
  }, 60_000);

  it("PostgreSQL killed and restarted: every request is served; events wait and are all written after", async () => {
    let waiting = 0;
    const answers = await underLoad(async () => {
      await postgres.stop();
      await sleep(1_500);
      waiting = await queueDepth();
      await postgres.start();
    });
    answered.push(...answers);
    expect(server.child.exitCode).toBeNull();
    // Keys are served from memory and limits live in Redis: the store is off the request path.
    expect(answers.filter((a) => a.status !== 200)).toEqual([]);

    console.log(`PostgreSQL outage: ${answers.length} answers, ${waiting} events queued when it came back`);
    expect(waiting).toBeGreaterThan(0);
    const rows = await usageRows(answered.length);
    expect(answers.every((a) => a.requestId !== undefined && rows.has(a.requestId))).toBe(true);
    expect(rows.size).toBe(answered.length);
    // Inside the queue's bound (100,000 events): nothing dropped, nothing left waiting.
    expect(await metric("meshapi_usage_events_dropped_total")).toBe(0);
    expect(await queueDepth()).toBe(0);
    // And the gateway reads the store again (readiness, the key poller).
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
  }, 60_000);
});
