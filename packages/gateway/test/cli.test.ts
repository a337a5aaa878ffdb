import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, runCli } from "./helpers/cli.js";

const built = existsSync(CLI);
if (!built) console.warn(`skipping CLI tests: ${CLI} is missing (run npm run build)`);

describe.skipIf(!built)("meshapi keys", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "meshapi-cli-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("create --json prints the key once; list never shows it", async () => {
    const created = await runCli(["keys", "create", "--name", "alpha", "--json", "--data-dir", dir]);
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout);
    expect(key).toMatchObject({ name: "alpha", status: "active" });
    expect(key.key).toMatch(/^rsk_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(key.id).toMatch(/^key_/);

    const listed = await runCli(["keys", "list", "--json", "--data-dir", dir]);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).map((k: { id: string }) => k.id)).toContain(key.id);
    expect(listed.stdout).not.toContain(key.key);
    const table = await runCli(["keys", "list", "--data-dir", dir]);
    expect(table.stdout).toContain("alpha");
    expect(table.stdout).not.toContain(key.key);
  });

  it("suspend, activate and revoke change the status; revoke is final", async () => {
    const key = JSON.parse(
      (await runCli(["keys", "create", "--name", "beta", "--json", "--data-dir", dir])).stdout,
    );
    for (const [cmd, status] of [
      ["suspend", "suspended"],
      ["activate", "active"],
      ["revoke", "revoked"],
    ] as const) {
      const res = await runCli(["keys", cmd, key.id, "--json", "--data-dir", dir]);
      expect(res.code).toBe(0);
      expect(JSON.parse(res.stdout).status).toBe(status);
    }
    const again = await runCli(["keys", "activate", key.id, "--data-dir", dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/revoked/);
  });

  it("bad arguments exit non-zero with a one-line reason", async () => {
    for (const args of [
      ["keys", "create", "--data-dir", dir],
      ["keys", "frobnicate", "--data-dir", dir],
      ["keys", "revoke", "--data-dir", dir],
      ["keys", "list", "--bogus"],
      ["serve", "--port", "70000"],
      ["nope"],
    ]) {
      const res = await runCli(args);
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr.trim().split("\n")).toHaveLength(1);
      expect(res.stderr).toMatch(/^meshapi: /);
    }
  });

  it("an unknown key id is a clear error", async () => {
    const res = await runCli(["keys", "revoke", "key_nope", "--data-dir", dir]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain("key_nope");
  });

  it("--help works on every command", async () => {
    for (const args of [["--help"], ["serve", "--help"], ["keys", "--help"], ["keys", "create", "--help"]]) {
      const res = await runCli(args);
      expect(res.code, args.join(" ")).toBe(0);
      expect(res.stdout).toMatch(/Usage: meshapi/);
    }
  });
});
