import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "../helpers/harness.js";

/** A port nothing listens on: bound, then released. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

async function chatAs(h: Harness, limits: Parameters<Harness["newKey"]>[1]) {
  return h.chat(ask("hi"), { key: await h.newKey("k", limits) });
}

describe("when Redis is unreachable", () => {
  let open: Harness;
  let closed: Harness;
  beforeAll(async () => {
    const url = `redis://127.0.0.1:${await deadPort()}`;
    open = await startHarness({ env: { MESHAPI_REDIS_URL: url } });
    closed = await startHarness({ env: { MESHAPI_REDIS_URL: url, MESHAPI_REDIS_DOWN_LIMITS: "closed" } });
  });
  afterAll(async () => {
    await open?.close();
    await closed?.close();
  });

  it("the gateway starts and keys without limits keep working", async () => {
    expect((await open.chat(ask("hi"))).status).toBe(200);
    expect((await closed.chat(ask("hi"))).status).toBe(200);
  });

  it("by default, spend caps fail closed (503) and rate limits fail open", async () => {
    const capped = await chatAs(open, { spendCapUsd: 10 });
    expect(capped.status).toBe(503);
    const body = (await capped.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("service_unavailable");
    expect(body.error.message).toContain("limits");
    expect((await chatAs(open, { rpm: 10 })).status).toBe(200);
  });

  it("MESHAPI_REDIS_DOWN_LIMITS=closed refuses rate-limited keys too", async () => {
    expect((await chatAs(closed, { rpm: 10 })).status).toBe(503);
  });

  it("logs one clear line about the policy", async () => {
    const lines: string[] = [];
    const log = pino({ level: "error" }, { write: (line: string) => lines.push(line) });
    const { createGateway } = await import("../../src/app.js");
    const { loadConfig } = await import("../../src/config/config.js");
    const config = loadConfig({
      env: { MESHAPI_REDIS_URL: `redis://127.0.0.1:${await deadPort()}` },
      overrides: { port: 0, dataDir: open.dataDir },
    });
    const gateway = await createGateway(config, { log });
    await gateway.stop();
    expect(lines.join("\n")).toContain("Redis unreachable; limits follow the configured policy");
  });
});

const redisServer = spawnSync("which", ["redis-server"]).status === 0;

describe.skipIf(!redisServer)("when Redis comes back", () => {
  let h: Harness;
  let server: ChildProcess | undefined;
  let port: number;
  beforeAll(async () => {
    port = await deadPort();
    h = await startHarness({ env: { MESHAPI_REDIS_URL: `redis://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await h?.close();
    server?.kill();
  });

  it("limits are enforced again without a restart", async () => {
    const key = await h.newKey("k", { spendCapUsd: 5, rpm: 1 });
    const send = () => h.chat(ask("hi"), { key });
    expect((await send()).status).toBe(503);
    server = spawn("redis-server", ["--port", String(port), "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    const deadline = Date.now() + 10_000;
    let status = 503;
    while (status === 503 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      status = (await send()).status;
    }
    expect(status).toBe(200);
    expect((await send()).status).toBe(429); // rpm 1, now counted in Redis
  });
});
