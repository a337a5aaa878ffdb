/**
 * A real gateway in front of a testkit simulator, configured for the upstream fault matrix: short
 * timeouts, a small event limit, no retries or cooldowns, and `dead-*` providers on a port nothing
 * listens on (connections refused), one per wire format.
 */
import { rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import { countTextTokens } from "../../src/pipeline/usage-math.js";
import type { RecentRequest } from "../../src/store/insight-types.js";
import { type Harness, startHarness } from "../helpers/harness.js";
import { MAX_EVENT_BYTES, TIMEOUTS } from "./fault-matrix.js";

export interface FaultGateway {
  h: Harness;
  sim: Simulator;
  /** The usage row of one request, once the usage writer has flushed it. */
  usageRow(requestId: string): Promise<RecentRequest>;
  close(): Promise<void>;
}

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startFaultGateway(): Promise<FaultGateway> {
  const sim = await startSimulator();
  const dead = `http://127.0.0.1:${await deadPort()}`;
  const configPath = join(tmpdir(), `meshapi-faults-${process.pid}-${Date.now()}.json`);
  writeFileSync(
    configPath,
    JSON.stringify({
      providers: {
        "dead-openai": { format: "openai", baseUrl: `${dead}/v1` },
        "dead-anthropic": { format: "anthropic", baseUrl: dead },
        "dead-gemini": { format: "gemini", baseUrl: dead },
      },
      // Every fault would otherwise put the simulator's deployments into a cooldown.
      routing: { cooldown: { cooldownMs: 0 } },
    }),
  );
  const h = await startHarness({
    sim,
    configPath,
    env: {
      ANTHROPIC_API_KEY: "sim-anthropic-key",
      ANTHROPIC_BASE_URL: sim.url,
      GEMINI_API_KEY: "sim-gemini-key",
      GEMINI_BASE_URL: sim.url,
      // One answer per fault: retries and fallbacks have their own suites (routing/).
      MESHAPI_RETRIES: "0",
      MESHAPI_UPSTREAM_CONNECT_TIMEOUT_MS: String(TIMEOUTS.connectMs),
      MESHAPI_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(TIMEOUTS.firstByteMs),
      MESHAPI_UPSTREAM_IDLE_TIMEOUT_MS: String(TIMEOUTS.idleMs),
      MESHAPI_UPSTREAM_TOTAL_TIMEOUT_MS: String(TIMEOUTS.totalMs),
      MESHAPI_UPSTREAM_MAX_EVENT_BYTES: String(MAX_EVENT_BYTES),
      MESHAPI_CACHE: "off",
    },
  });
  rmSync(configPath, { force: true });
  const key = await h.gateway.keys.lookup(h.key);
  const keyId = (key as { id: string }).id;
  // Loads the tokenizer (a failed stream's usage is counted with it) before any timer runs.
  await countTextTokens("warm up");
  return {
    h,
    sim,
    async usageRow(requestId) {
      for (let i = 0; i < 40; i++) {
        await h.gateway.usage.flush();
        const rows = await h.gateway.store.recentRequests({ limit: 100, keyId });
        const row = rows.find((r) => r.requestId === requestId);
        if (row) return row;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`no usage row for ${requestId}`);
    },
    async close() {
      await h.close();
      await sim.close();
    },
  };
}
