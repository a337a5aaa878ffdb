import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../src/store/open-store.js";
import { CLI, runCli, startServer } from "./helpers/cli.js";
import { ask } from "./helpers/harness.js";

const built = existsSync(CLI);
if (!built) console.warn(`skipping process tests: ${CLI} is missing (run npm run build)`);

describe.skipIf(!built)("meshapi serve as a process", () => {
  let sim: Simulator;
  let dir: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    sim = await startSimulator();
    dir = mkdtempSync(join(tmpdir(), "meshapi-proc-"));
    env = { OPENAI_API_KEY: "sim-openai-key", OPENAI_BASE_URL: sim.openaiBaseUrl };
  });
  afterAll(async () => {
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("prints exactly one stdout line, creates and shows a first key, and warns without providers", async () => {
    const fresh = mkdtempSync(join(tmpdir(), "meshapi-first-"));
    const server = await startServer(["--data-dir", fresh], { OPENAI_API_KEY: "" });
    try {
      expect(server.stdout()).toMatch(/^MeshAPI listening on http:\/\/127\.0\.0\.1:\d+\n$/);
      expect(server.url).not.toContain(":0");
      const key = /(rsk_[0-9A-HJKMNP-TV-Z]{26})/.exec(server.stderr())?.[1];
      expect(key).toBeDefined();
      expect(server.stderr()).toContain("curl ");
      expect(server.stderr()).toMatch(/warning: .*OPENAI_API_KEY/);
      const res = await fetch(`${server.url}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
    } finally {
      server.child.kill("SIGTERM");
      expect(await server.exited).toBe(0);
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  it("a revoke done by the CLI in another process takes effect within 5 s", async () => {
    const created = JSON.parse(
      (await runCli(["keys", "create", "--name", "x", "--json", "--data-dir", dir])).stdout,
    );
    const server = await startServer(["--data-dir", dir], env);
    const call = () =>
      fetch(`${server.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${created.key}`, "content-type": "application/json" },
        body: JSON.stringify(ask("hi")),
      });
    try {
      expect((await call()).status).toBe(200);
      expect((await runCli(["keys", "suspend", created.id, "--data-dir", dir])).code).toBe(0);
      const deadline = Date.now() + 5_000;
      let status = 200;
      while (Date.now() < deadline && status === 200) {
        status = (await call()).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(403);
      await runCli(["keys", "revoke", created.id, "--data-dir", dir]);
      const until = Date.now() + 5_000;
      while (Date.now() < until && status !== 401) {
        status = (await call()).status;
        if (status !== 401) await new Promise((r) => setTimeout(r, 100));
      }
      expect(status).toBe(401);
    } finally {
      server.child.kill("SIGTERM");
      await server.exited;
    }
  });

  it("SIGTERM lets an in-flight stream finish, refuses new work, flushes usage and exits 0", async () => {
    const created = JSON.parse(
      (await runCli(["keys", "create", "--name", "g", "--json", "--data-dir", dir])).stdout,
    );
    const server = await startServer(["--data-dir", dir], env);
    const store = await openStore({ dataDir: dir });
    const before = await store.countUsageEvents();
    await store.close();
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${created.key}`, "content-type": "application/json" },
      body: JSON.stringify(ask("[[sim:words=30,chunk_delay_ms=30]]", { stream: true })),
    });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    server.child.kill("SIGTERM");
    let text = "";
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    expect(text).not.toContain('"error"');
    await expect(
      fetch(`${server.url}/healthz`).then((r) => r.status),
      "no new requests after SIGTERM",
    ).rejects.toThrow();
    expect(await server.exited).toBe(0);
    const after = await openStore({ dataDir: dir });
    expect(await after.countUsageEvents()).toBe(before + 1);
    await after.close();
  });
});
