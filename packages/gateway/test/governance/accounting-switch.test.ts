import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config/config.js";
import { ask, type Harness, startHarness } from "../helpers/harness.js";
import { MODES } from "./modes.js";

describe("usage accounting switch (config)", () => {
  const dir = mkdtempSync(join(tmpdir(), "meshapi-acct-"));
  const file = (json: unknown) => {
    const path = join(dir, `c${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(json));
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is on by default; MESHAPI_RECORD_USAGE and usage.record turn it off, the variable winning", () => {
    expect(loadConfig({ env: {} }).recordUsage).toBe(true);
    expect(loadConfig({ env: { MESHAPI_RECORD_USAGE: "false" } }).recordUsage).toBe(false);
    expect(loadConfig({ env: {}, configPath: file({ usage: { record: false } }) }).recordUsage).toBe(false);
    const off = file({ usage: { record: false } });
    expect(loadConfig({ env: { MESHAPI_RECORD_USAGE: "true" }, configPath: off }).recordUsage).toBe(true);
  });

  it("refuses values other than true and false", () => {
    expect(() => loadConfig({ env: { MESHAPI_RECORD_USAGE: "no" } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, configPath: file({ usage: { record: "no" } }) })).toThrow(ConfigError);
    expect(() => loadConfig({ env: {}, configPath: file({ usage: { recrod: false } }) })).toThrow(
      ConfigError,
    );
  });
});

interface UsageReport {
  total: { requests: number };
}

for (const mode of MODES) {
  describe.skipIf(!mode.enabled)(`with usage accounting off (${mode.name})`, () => {
    let h: Harness;
    let drop: () => Promise<void>;
    beforeAll(async () => {
      const setup = await mode.setup("acct-off");
      drop = setup.drop;
      h = await startHarness({ env: { ...setup.env, MESHAPI_RECORD_USAGE: "false" } });
    });
    afterAll(async () => {
      await h?.close();
      await drop?.();
    });

    it("responses still carry usage and cost, but no usage event is written", async () => {
      const res = await h.chat(ask("hello"));
      expect(res.status).toBe(200);
      const body = (await res.json()) as { usage: { total_tokens: number; cost?: number } };
      expect(body.usage.total_tokens).toBeGreaterThan(0);
      expect(body.usage.cost).toBeGreaterThan(0);
      await (await h.chat(ask("streamed", { stream: true }))).text();
      await h.gateway.usage.flush();
      expect(await h.gateway.store.spendByKey(0)).toEqual(new Map());
      const report = await fetch(`${h.url}/v1/usage`, { headers: { authorization: `Bearer ${h.key}` } });
      expect(((await report.json()) as UsageReport).total.requests).toBe(0);
    });

    it("spend caps are still enforced", async () => {
      const key = await h.newKey("capped", { spendCapUsd: 0.000_001 });
      const send = () => h.chat(ask("spend"), { key });
      // The first request starts below the cap; once it has settled, the key is over it.
      expect((await send()).status).toBe(200);
      const deadline = Date.now() + 5_000;
      let status = 200;
      while (status === 200 && Date.now() < deadline) {
        status = (await send()).status;
        if (status === 200) await new Promise((r) => setTimeout(r, 20));
      }
      expect(status).toBe(402);
    });
  });
}
