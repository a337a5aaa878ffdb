import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { built, builtSkipNote } from "../governance/processes.js";
import { runCli } from "../helpers/cli.js";

if (!built) console.warn(builtSkipNote);

describe.skipIf(!built)("meshapi keys: response cache settings", () => {
  let dir: string;
  const cli = (...args: string[]) => runCli([...args, "--data-dir", dir]);
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "meshapi-cli-cache-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("create and update set the TTL and namespace; 'none' turns one off", async () => {
    const created = await cli("keys", "create", "--name", "c", "--cache-ttl", "300", "--json");
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ cache_ttl_seconds: 300, cache_namespace: null });
    const shared = await cli("keys", "update", key.id, "--cache-namespace", "team-a");
    expect(shared.stdout).toContain("cache 300 s, namespace team-a");
    const off = await cli("keys", "update", key.id, "--cache-ttl", "none", "--json");
    expect(JSON.parse(off.stdout)).toMatchObject({ cache_ttl_seconds: null, cache_namespace: "team-a" });
  });

  it("refuses bad cache values with exit 2", async () => {
    for (const args of [
      ["keys", "create", "--name", "x", "--cache-ttl", "0"],
      ["keys", "create", "--name", "x", "--cache-ttl", "2592001"],
      ["keys", "create", "--name", "x", "--cache-namespace", "a b"],
    ]) {
      const res = await cli(...args);
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr).toMatch(/^meshapi: --cache-/);
    }
  });
});
