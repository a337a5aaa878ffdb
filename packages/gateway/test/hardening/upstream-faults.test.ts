/**
 * Issue 22, upstream fault matrix: every fault × wire format × stream/non-stream through a real gateway
 * and the testkit simulators. Each ends in its documented status (before the first byte) or an in-band
 * error frame + `data: [DONE]` (after it), within the timeout that bounds it, with a usage row for what
 * was delivered. The table of cases is fault-matrix.ts.
 */
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countTextTokens } from "../../src/pipeline/usage-math.js";
import type { RecentRequest } from "../../src/store/insight-types.js";
import { type Harness, readEvents, startHarness } from "../helpers/harness.js";
import { CASES, type FaultCase, FORMATS, type Format, MAX_EVENT_BYTES, SLACK_MS, TIMEOUTS } from "./fault-matrix.js";

let sim: Simulator;
let h: Harness;
let keyId: string;

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  sim = await startSimulator();
  const dead = `http://127.0.0.1:${await deadPort()}`;
  h = await startHarness({
    sim,
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
    configPath: writeConfig({
      providers: {
        "dead-openai": { format: "openai", baseUrl: `${dead}/v1` },
        "dead-anthropic": { format: "anthropic", baseUrl: dead },
        "dead-gemini": { format: "gemini", baseUrl: dead },
      },
      // Every fault below would otherwise put the simulator's deployments into a cooldown.
      routing: { cooldown: { cooldownMs: 0 } },
    }),
  });
  const key = await h.gateway.keys.lookup(h.key);
  keyId = (key as { id: string }).id;
  // Loads the tokenizer (a failed stream's usage is counted with it) before any timer runs.
  await countTextTokens("warm up");
}, 30_000);

afterAll(async () => {
  await h?.close();
  await sim?.close();
});

function writeConfig(config: unknown): string {
  const path = join(
    process.env.TMPDIR ?? "/tmp",
    `meshapi-faults-${process.pid}-${Date.now()}.json`,
  );
  writeFileSync(path, JSON.stringify(config));
  return path;
}

type Envelope = { error: { code: string; message: string; type: string }; request_id: string };

/** The usage row of one request, once the writer has flushed it. */
async function usageRow(requestId: string): Promise<RecentRequest> {
  for (let i = 0; i < 40; i++) {
    await h.gateway.usage.flush();
    const rows = await h.gateway.store.recentRequests({ limit: 100, keyId });
    const row = rows.find((r) => r.requestId === requestId);
    if (row) return row;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no usage row for ${requestId}`);
}

async function run(f: Format, c: FaultCase) {
  const directive = c.directive === null ? "" : ` [[sim:words=8,${c.directive(f)}]]`;
  const started = performance.now();
  const res = await h.chat({
    model: c.directive === null ? f.deadModel : f.model,
    stream: c.stream,
    messages: [{ role: "user", content: `Say eight words.${directive}` }],
  });
  const text = await res.text();
  return { res, text, elapsed: performance.now() - started };
}

function events(text: string): Promise<unknown[]> {
  return readEvents(new Response(text));
}

describe.each(FORMATS)("$name upstream faults", (f) => {
  // Concurrent: most cases wait on a timeout; each one checks only its own request and usage row.
  it.concurrent.for(CASES)("$name (stream: $stream)", async (c, { expect }) => {
    const { res, text, elapsed } = await run(f, c);
    const requestId = res.headers.get("x-request-id") as string;
    expect(requestId).toMatch(/^req_/);
    expect(elapsed).toBeLessThan(c.boundMs + SLACK_MS);
    const row = await usageRow(requestId);
    expect(row.stream).toBe(c.stream);

    if (c.outcome.kind === "status") {
      expect(res.status).toBe(c.outcome.status);
      const body = JSON.parse(text) as Envelope;
      expect(body.error.code).toBe(c.outcome.code);
      expect(body.request_id).toBe(requestId);
      // An HTML page or a 512 KB event never ends up in the message whole.
      expect(body.error.message).not.toContain("<html");
      expect(body.error.message.length).toBeLessThan(600);
      if (c.message) expect(body.error.message).toMatch(c.message);
      expect(row).toMatchObject({ status: c.outcome.status, errorCode: c.outcome.code, completionTokens: 0 });
      return;
    }
    expect(res.status).toBe(200);
    if (c.outcome.kind === "ok") {
      if (c.stream) expect((await events(text)).at(-1)).toBe("[DONE]");
      else expect((JSON.parse(text) as { choices: unknown[] }).choices).toHaveLength(1);
      expect(row).toMatchObject({ status: 200, errorCode: null });
      expect(row.completionTokens).toBeGreaterThan(0);
      return;
    }
    const all = await events(text);
    expect(all.at(-1)).toBe("[DONE]");
    const frame = all.at(-2) as Envelope;
    expect(frame.error.code).toBe(c.outcome.code);
    expect(frame.request_id).toBe(requestId);
    if (c.message) expect(frame.error.message).toMatch(c.message);
    const delivered = all
      .slice(0, -2)
      .map((e) => (e as { choices: { delta: { content?: string } }[] }).choices[0]?.delta.content ?? "")
      .join("");
    expect(delivered).toMatch(/w1/);
    // Usage counts what reached the client, even though the stream failed.
    expect(row).toMatchObject({ status: 200, errorCode: c.outcome.code });
    expect(row.completionTokens).toBeGreaterThan(0);
    expect(row.promptTokens).toBeGreaterThan(0);
  });
});
