import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open-store.js";
import { runCli } from "../helpers/cli.js";
import { usageEvent } from "../helpers/usage-event.js";
import { built, builtSkipNote } from "./processes.js";

if (!built) console.warn(builtSkipNote);

describe.skipIf(!built)("meshapi keys/usage/templates (governance)", () => {
  let dir: string;
  const cli = (...args: string[]) => runCli([...args, "--data-dir", dir]);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "meshapi-cli-gov-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("keys create and update take limits; 'none' removes one", async () => {
    const created = await cli(
      "keys",
      "create",
      "--name",
      "team",
      "--json",
      "--rpm",
      "50",
      "--tpm",
      "1000",
      "--max-concurrent",
      "4",
      "--spend-cap-usd",
      "12.5",
      "--spend-period",
      "month",
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({
      rpm: 50,
      rpd: null,
      tpm: 1000,
      max_concurrent: 4,
      spend_cap_usd: 12.5,
      spend_period: "month",
    });
    const updated = await cli("keys", "update", key.id, "--rpm", "none", "--rpd", "1000", "--json");
    expect(updated.code).toBe(0);
    expect(JSON.parse(updated.stdout)).toMatchObject({
      rpm: null,
      rpd: 1000,
      tpm: 1000,
      spend_cap_usd: 12.5,
    });
    const text = await cli("keys", "update", key.id, "--name", "renamed");
    expect(text.stdout).toContain("renamed");
    expect(text.stdout).toContain("rpd 1000");
  });

  it("keys create and update take --models (per-key model access); 'all' lifts it", async () => {
    const created = await cli(
      "keys",
      "create",
      "--name",
      "scoped",
      "--json",
      "--models",
      "openai/*,anthropic/claude-sonnet-4.5",
    );
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key.allowed_models).toEqual(["openai/*", "anthropic/claude-sonnet-4.5"]);
    const text = await cli("keys", "update", key.id, "--models", "google/*");
    expect(text.stdout).toContain("models google/*");
    const lifted = await cli("keys", "update", key.id, "--models", "all", "--json");
    expect(JSON.parse(lifted.stdout).allowed_models).toBeNull();
    const bad = await cli("keys", "create", "--name", "x", "--models", "openai/gpt 4o");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("not a model pattern");
  });

  it("refuses bad limit values with exit 2", async () => {
    for (const args of [
      ["keys", "create", "--name", "x", "--rpm", "0"],
      ["keys", "create", "--name", "x", "--rpm", "1.5"],
      ["keys", "create", "--name", "x", "--spend-cap-usd", "-1"],
      ["keys", "create", "--name", "x", "--spend-period", "week"],
      ["keys", "update", "key_x"],
      ["usage", "--by", "colour"],
      ["usage", "--since", "soon"],
      ["templates", "list"],
    ]) {
      const res = await cli(...args);
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr).toMatch(/^meshapi: /);
    }
  });

  it("usage sums recorded events, grouped, as a table or JSON", async () => {
    const store = await openStore({ dataDir: dir });
    const base = { keyId: "key_a", sessionId: "s", model: "openai/gpt-4o" };
    await store.insertUsageEvents([
      usageEvent({ ...base, requestId: "r1", promptTokens: 10, completionTokens: 5, costUsd: 0.5 }),
      usageEvent({ ...base, requestId: "r2", promptTokens: 1, completionTokens: 1, costUsd: 0.25 }),
      usageEvent({
        ...base,
        requestId: "r3",
        model: "openai/gpt-4o-mini",
        keyId: "key_b",
        promptTokens: 2,
        completionTokens: 2,
        costUsd: 0,
        cacheHit: true,
      }),
    ]);
    await store.close();
    const json = JSON.parse((await cli("usage", "--since", "7d", "--by", "model", "--json")).stdout);
    expect(json.data).toEqual([
      expect.objectContaining({ model: "openai/gpt-4o", requests: 2, prompt_tokens: 11, cost_usd: 0.75 }),
      expect.objectContaining({ model: "openai/gpt-4o-mini", requests: 1 }),
    ]);
    const table = await cli("usage", "--by", "key");
    expect(table.stdout.split("\n")[0]).toBe(
      "KEY_ID\tREQUESTS\tPROMPT\tCOMPLETION\tTOTAL\tCOST_USD\tCACHE_HITS",
    );
    expect(table.stdout).toContain("key_a\t2\t11\t6\t17\t0.750000\t0");
    expect(table.stdout).toContain("key_b\t1\t2\t2\t4\t0.000000\t1");
    expect(table.stdout).toContain("TOTAL\t3\t");
  });

  it("templates create (flags or file), list, show and delete", async () => {
    const key = JSON.parse((await cli("keys", "create", "--name", "tpl", "--json")).stdout);
    const file = join(dir, "t.json");
    writeFileSync(
      file,
      JSON.stringify({ name: "from-file", messages: [{ role: "user", content: "Hi {{ x }}" }] }),
    );
    expect((await cli("templates", "create", "--key", key.id, "--file", file)).code).toBe(0);
    const made = await cli(
      "templates",
      "create",
      "--key",
      key.id,
      "--name",
      "flags",
      "--system",
      "Be {{ tone }}",
      "--json",
    );
    expect(made.code).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ name: "flags", system: "Be {{ tone }}" });
    const list = JSON.parse((await cli("templates", "list", "--key", key.id, "--json")).stdout);
    expect(list.map((t: { name: string }) => t.name)).toEqual(["flags", "from-file"]);
    const shown = JSON.parse((await cli("templates", "show", "from-file", "--key", key.id)).stdout);
    expect(shown.messages).toEqual([{ role: "user", content: "Hi {{ x }}" }]);
    expect((await cli("templates", "create", "--key", key.id, "--name", "flags")).code).toBe(1);
    expect((await cli("templates", "delete", "flags", "--key", key.id)).code).toBe(0);
    expect((await cli("templates", "show", "flags", "--key", key.id)).code).toBe(1);
    expect((await cli("templates", "list", "--key", "key_missing")).code).toBe(1);
  });
});
