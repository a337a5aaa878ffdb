import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import BetterSqlite3 from "better-sqlite3";
import OpenAI from "openai";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SQLITE_FILE_NAME } from "../../src/store/open-store.js";
import { MODES, sharedSkipNote } from "../governance/modes.js";
import { ask, type Harness, readEvents, startHarness } from "../helpers/harness.js";

if (!MODES[1]?.enabled) console.warn(sharedSkipNote);

const STRATEGIES = ["priority", "weighted", "least-busy", "latency"] as const;

/** Faults of one deployment (the "east" simulator) every strategy must route around. */
const FAULTS = [
  { name: "5xx storm", directives: "status=500", stream: false },
  { name: "429 with Retry-After", directives: "status=429,retry_after=1", stream: false },
  { name: "stall", directives: "hang", stream: false },
  { name: "connection reset before headers", directives: "reset", stream: false },
  { name: "stream cut before the first byte", directives: "cut_after=0", stream: true },
] as const;
const slug = (name: string) => name.replace(/[^a-z0-9]+/gi, "-").toLowerCase();
// Longer than the rest of a fault case once the breaker opened, so a case whose faulty deployment was
// tried again and again shows a breaker that did not open. (A stall costs about 1 s, not the 300 ms
// configured: undici checks its header timeouts on a clock of 1 s resolution.)
const COOLDOWN_MS = 2_500;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
  const { port } = probe.address() as { port: number };
  await new Promise((r) => probe.close(r));
  return port;
}

/** Every strategy's group: "east" on simulator A, "west" on simulator B; plus one with a dead first deployment. */
function routingConfig(east: Simulator, west: Simulator, deadPort: number) {
  const models: Record<string, unknown> = {};
  // A group per strategy and fault (and per strategy for a refused connection): no test's failures
  // count against another test's deployments.
  for (const s of STRATEGIES) {
    for (const f of [...FAULTS.map((f) => slug(f.name)), "refused"]) {
      const first = f === "refused" ? `http://127.0.0.1:${deadPort}/v1` : east.openaiBaseUrl;
      models[`mesh/${s}/${f}`] = {
        strategy: s,
        deployments: [
          { id: `${s}-${f}-east`, model: "openai/gpt-4o-mini", baseUrl: first, weight: 3 },
          { id: `${s}-${f}-west`, model: "openai/gpt-4o-mini", baseUrl: west.openaiBaseUrl, weight: 1 },
        ],
      };
    }
    models[`mesh/${s}`] = {
      strategy: s,
      deployments: [
        { id: `${s}-east`, model: "openai/gpt-4o-mini", baseUrl: east.openaiBaseUrl, weight: 3 },
        { id: `${s}-west`, model: "openai/gpt-4o-mini", baseUrl: west.openaiBaseUrl, weight: 1 },
      ],
    };
  }
  // Groups of their own for tests whose failures must not count against another test's deployments.
  for (const name of ["stall", "stream"]) {
    models[`mesh/${name}`] = {
      deployments: [
        { id: `${name}-east`, model: "openai/gpt-4o-mini", baseUrl: east.openaiBaseUrl },
        { id: `${name}-west`, model: "openai/gpt-4o-mini", baseUrl: west.openaiBaseUrl },
      ],
    };
  }
  models["mesh/refused"] = {
    deployments: [
      { id: "refused-dead", model: "openai/gpt-4o-mini", baseUrl: `http://127.0.0.1:${deadPort}/v1` },
      { id: "refused-west", model: "openai/gpt-4o-mini", baseUrl: west.openaiBaseUrl },
    ],
  };
  return {
    routing: {
      retries: { max: 2, baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 2_000 },
      cooldown: { failures: 2, windowMs: 60_000, cooldownMs: COOLDOWN_MS },
      models,
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const chatPaths = (sim: Simulator) => sim.requests().filter((r) => r.path === "/v1/chat/completions");

for (const mode of MODES) {
  describe.skipIf(!mode.enabled)(`deployments, retries and cooldowns (${mode.name})`, () => {
    let h: Harness;
    let east: Simulator;
    let west: Simulator;
    let dir: string;
    let env: Record<string, string>;
    let drop: () => Promise<void>;

    beforeAll(async () => {
      const setup = await mode.setup("routing");
      drop = setup.drop;
      env = setup.env;
      east = await startSimulator();
      west = await startSimulator();
      dir = mkdtempSync(join(tmpdir(), "meshapi-routing-"));
      const configPath = join(dir, "config.json");
      writeFileSync(configPath, JSON.stringify(routingConfig(east, west, await freePort())));
      h = await startHarness({
        sim: west,
        configPath,
        env: { ...env, MESHAPI_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: "300", OPENAI_BASE_URL: west.openaiBaseUrl },
      });
    });
    afterAll(async () => {
      await h?.close();
      await east?.close();
      await west?.close();
      rmSync(dir, { recursive: true, force: true });
      await drop?.();
    });
    beforeEach(() => {
      east.setFaults(null);
      west.setFaults(null);
      east.reset();
      west.reset();
    });

    it("a 5xx storm: answered by the other deployment, the failing one cooled after N failures, then probed back", async () => {
      east.setFaults("status=503");
      const first = await h.chat(ask("hi", { model: "mesh/priority" }));
      expect(first.status).toBe(200);
      expect(first.headers.get("x-meshapi-deployment")).toBe("priority-west");
      expect(first.headers.get("x-meshapi-provider")).toBe("openai");
      expect(first.headers.get("x-meshapi-attempts")).toBe("2");
      expect(Number(first.headers.get("x-meshapi-overhead-ms"))).toBeGreaterThanOrEqual(0);
      expect((await first.json()).model).toBe("mesh/priority");
      await h.chat(ask("hi", { model: "mesh/priority" }));
      expect(chatPaths(east)).toHaveLength(2); // two failures: the breaker opens
      const third = await h.chat(ask("hi", { model: "mesh/priority" }));
      expect(third.headers.get("x-meshapi-attempts")).toBe("1");
      expect(chatPaths(east)).toHaveLength(2);

      east.setFaults(null);
      await sleep(COOLDOWN_MS + 50);
      const probe = await h.chat(ask("hi", { model: "mesh/priority" }));
      expect(probe.headers.get("x-meshapi-deployment")).toBe("priority-east");
      expect(chatPaths(east)).toHaveLength(3);
      const after = await h.chat(ask("hi", { model: "mesh/priority" }));
      expect(after.headers.get("x-meshapi-deployment")).toBe("priority-east");
    });

    for (const strategy of STRATEGIES) {
      for (const fault of [...FAULTS, { name: "connection refused", directives: null, stream: false }]) {
        it(`${strategy} routes around a ${fault.name}: every request answered, the faulty deployment left alone`, async () => {
          const group = `mesh/${strategy}/${fault.directives === null ? "refused" : slug(fault.name)}`;
          east.setFaults(fault.directives);
          let openedAt: number | undefined;
          for (let i = 0; i < 8; i++) {
            const res = await h.chat(ask(`q${i} one two`, { model: group, stream: fault.stream }));
            expect(res.status).toBe(200);
            expect(res.headers.get("x-meshapi-deployment")).toMatch(/-west$/);
            if (fault.stream) {
              const events = await readEvents(res);
              const text = events
                .map(
                  (e) =>
                    (e as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta?.content ??
                    "",
                )
                .join("");
              expect(text).toBe(`You said: q${i} one two`);
              expect(events.at(-1)).toBe("[DONE]");
            } else {
              expect((await res.json()).choices[0].message.content).toBe(`You said: q${i} one two`);
            }
            if (openedAt === undefined && chatPaths(east).length >= 2) openedAt = Date.now();
          }
          // The failures that open the breaker (a 429 with Retry-After opens it at once), then at most
          // one probe per cooldown that ended since: never one attempt per request.
          const cooldowns = Math.floor((Date.now() - (openedAt ?? Date.now())) / COOLDOWN_MS);
          expect(chatPaths(east).length).toBeLessThanOrEqual(2 + cooldowns);
          expect(chatPaths(west)).toHaveLength(8);
        });
      }
    }

    it("a 429 with Retry-After cools that deployment for that long; the other answers meanwhile", async () => {
      east.setFaults("status=429,retry_after=1");
      for (let i = 0; i < 4; i++) {
        const res = await h.chat(ask("hi", { model: "mesh/weighted" }));
        expect(res.status).toBe(200);
        expect(res.headers.get("x-meshapi-deployment")).toBe("weighted-west");
      }
      // The weighted draw may pick west first for a while; east is asked at most once in that second.
      expect(chatPaths(east).length).toBeLessThanOrEqual(1);
      east.setFaults(null);
      await sleep(1_050);
    });

    it("a stalled deployment times out and the request is retried on the other", async () => {
      east.setFaults("hang");
      const res = await h.chat(ask("hi", { model: "mesh/stall" }));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-meshapi-attempts")).toBe("2");
      expect(res.headers.get("x-meshapi-deployment")).toBe("stall-west");
    });

    it("a refused connection is retried on the next deployment, and the attempts land in the usage event", async () => {
      const res = await h.chat(ask("hi", { model: "mesh/refused" }));
      expect(res.status).toBe(200);
      expect(res.headers.get("x-meshapi-deployment")).toBe("refused-west");
      const requestId = res.headers.get("x-request-id") as string;
      await h.gateway.usage.flush();
      const row = await usageRow(h, env, requestId);
      expect(row).toMatchObject({
        deployment: "refused-west",
        attempts: 2,
        status: 200,
        model: "mesh/refused",
      });
      const log = JSON.parse(row.attempt_log as string) as { deployment: string; outcome: string }[];
      expect(log.map((a) => [a.deployment, a.outcome])).toEqual([
        ["refused-dead", "upstream_error"],
        ["refused-west", "ok"],
      ]);
    });

    it("a stream cut before its first byte is retried: the client sees one clean stream", async () => {
      east.setFaults("cut_after=0", 1);
      const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 });
      const stream = await client.chat.completions.create({
        model: "mesh/stream",
        messages: [{ role: "user", content: "one two three" }],
        stream: true,
      });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
      expect(text).toBe("You said: one two three");
      expect(chatPaths(east)).toHaveLength(1);
      expect(chatPaths(west)).toHaveLength(1);
    });

    it("never retries once bytes reached the client: a mid-stream cut is an error frame, nothing repeated", async () => {
      east.setFaults("cut_after=2", 1);
      const res = await h.chat(ask("alpha beta gamma delta", { model: "mesh/stream", stream: true }));
      expect(res.headers.get("x-meshapi-attempts")).toBe("1");
      const events = await readEvents(res);
      const text = events
        .filter(
          (e): e is { choices: { delta: { content?: string } }[] } =>
            typeof e === "object" && "choices" in (e as object),
        )
        .map((e) => e.choices[0]?.delta.content ?? "")
        .join("");
      expect(text.length).toBeGreaterThan(0);
      expect("You said: alpha beta gamma delta".startsWith(text)).toBe(true);
      expect(text).not.toBe("You said: alpha beta gamma delta");
      expect(events.at(-2)).toMatchObject({ error: { code: "upstream_error" } });
      expect(events.at(-1)).toBe("[DONE]");
      expect(chatPaths(west)).toHaveLength(0);
    });

    it("x-meshapi-retries: 0 makes one attempt per model; a bad value is a 400", async () => {
      east.setFaults("status=502");
      const res = await h.chat(ask("hi", { model: "mesh/priority" }), {
        headers: { "x-meshapi-retries": "0" },
      });
      expect(res.status).toBe(502);
      expect(res.headers.get("x-meshapi-attempts")).toBe("1");
      const bad = await h.chat(ask("hi"), { headers: { "x-meshapi-retries": "lots" } });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error).toMatchObject({ code: "invalid_request", param: "x-meshapi-retries" });
    });

    it("weighted splits traffic by weight (3:1) when both are healthy", async () => {
      const picks = await Promise.all(
        Array.from({ length: 120 }, () =>
          h.chat(ask("w", { model: "mesh/weighted" })).then((r) => r.headers.get("x-meshapi-deployment")),
        ),
      );
      const eastShare = picks.filter((p) => p === "weighted-east").length / picks.length;
      expect(eastShare).toBeGreaterThan(0.6);
      expect(eastShare).toBeLessThan(0.9);
    });

    it("a key limited to some models gets 403 model_not_allowed for the others (official client)", async () => {
      const created = await h.keys.create("scoped", {}, { allowedModels: ["openai/*"] });
      h.gateway.keys.remember(created.record);
      const client = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: created.key, maxRetries: 0 });
      const ok = await client.chat.completions.create({
        model: "openai/gpt-4o-mini",
        messages: [{ role: "user", content: "hi" }],
      });
      expect(ok.choices[0]?.message.content).toBe("You said: hi");
      const err = await client.chat.completions
        .create({ model: "mesh/priority", messages: [{ role: "user", content: "hi" }] })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
      expect((err as InstanceType<typeof OpenAI.APIError>).error).toMatchObject({
        code: "model_not_allowed",
        param: "model",
      });
      expect((err as Error).message).toContain('may not use "mesh/priority"');

      // The model list shows such a key only what it may use; a full key also sees the public names.
      const scoped = (await client.models.list()).data.map((m) => m.id);
      expect(scoped.length).toBeGreaterThan(0);
      expect(scoped.every((id) => id.startsWith("openai/"))).toBe(true);
      expect(await client.models.retrieve("mesh/priority").catch((e: unknown) => e)).toBeInstanceOf(
        OpenAI.PermissionDeniedError,
      );
      const full = new OpenAI({ baseURL: `${h.url}/v1`, apiKey: h.key, maxRetries: 0 });
      const all = (await full.models.list()).data;
      expect(all.find((m) => m.id === "mesh/priority")).toMatchObject({ owned_by: "meshapi" });
      expect(all.map((m) => m.id)).toContain("openai/gpt-4o-mini");
    });
  });
}

/** One usage row by request id, from the mode's real store. */
async function usageRow(
  h: Harness,
  env: Record<string, string>,
  requestId: string,
): Promise<Record<string, unknown>> {
  const url = env.MESHAPI_DATABASE_URL;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT * FROM usage_events WHERE request_id = $1", [requestId]);
      return rows[0] as Record<string, unknown>;
    } finally {
      await client.end();
    }
  }
  const db = new BetterSqlite3(join(h.dataDir, SQLITE_FILE_NAME), { readonly: true });
  try {
    return db.prepare("SELECT * FROM usage_events WHERE request_id = ?").get(requestId) as Record<
      string,
      unknown
    >;
  } finally {
    db.close();
  }
}

describe.skipIf(!MODES[1]?.enabled)("cooldowns shared between instances (Redis)", () => {
  let a: Harness;
  let b: Harness;
  let east: Simulator;
  let west: Simulator;
  let dir: string;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    const setup = await (MODES[1] as (typeof MODES)[number]).setup("routing-shared");
    drop = setup.drop;
    east = await startSimulator();
    west = await startSimulator();
    dir = mkdtempSync(join(tmpdir(), "meshapi-routing-"));
    const configPath = join(dir, "config.json");
    const config = routingConfig(east, west, await freePort());
    config.routing.cooldown.cooldownMs = 60_000;
    writeFileSync(configPath, JSON.stringify(config));
    const env = { ...setup.env, OPENAI_BASE_URL: west.openaiBaseUrl };
    a = await startHarness({ sim: west, configPath, env });
    b = await startHarness({ sim: west, configPath, env });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await east?.close();
    await west?.close();
    rmSync(dir, { recursive: true, force: true });
    await drop?.();
  });

  it("failures seen by two instances trip the breaker for both; the other instance stops trying it", async () => {
    east.setFaults("status=503");
    // One failure at each instance: two in Redis's window, so the breaker opens everywhere.
    expect((await a.chat(ask("x", { model: "mesh/priority" }))).status).toBe(200);
    expect((await b.chat(ask("x", { model: "mesh/priority" }))).status).toBe(200);
    expect(chatPaths(east)).toHaveLength(2);
    await sleep(100); // the pub/sub message
    for (const h of [a, b, a, b]) {
      const res = await h.chat(ask("x", { model: "mesh/priority" }));
      expect(res.headers.get("x-meshapi-attempts")).toBe("1");
    }
    expect(chatPaths(east)).toHaveLength(2);
  });
});
