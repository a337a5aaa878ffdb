import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI, startServer } from "./helpers/cli.js";

const built = existsSync(CLI);
if (!built) console.warn(`skipping startup-module tests: ${CLI} is missing (run npm run build)`);

/**
 * Preloaded into the server: on exit it prints which packages were loaded. A CommonJS package imported
 * from ESM is loaded by the CommonJS loader too, so its cache lists every package the process used.
 */
const REPORT_LOADED = `
process.on("exit", () => {
  const names = new Set();
  for (const file of Object.keys(require("node:module")._cache)) {
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file);
    if (m) names.add(m[1]);
  }
  process.stderr.write("LOADED " + [...names].sort().join(",") + "\\n");
});
`;

describe.skipIf(!built)("an embedded gateway's memory at start", () => {
  let dir: string;
  let hook: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "meshapi-startup-"));
    hook = join(dir, "report-loaded.cjs");
    writeFileSync(hook, REPORT_LOADED);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("never loads the PostgreSQL or Redis drivers without MESHAPI_DATABASE_URL or MESHAPI_REDIS_URL", async () => {
    const server = await startServer(["--data-dir", join(dir, "data")], {
      NODE_OPTIONS: `--require ${hook}`,
      MESHAPI_DATABASE_URL: "",
      MESHAPI_REDIS_URL: "",
    });
    server.child.kill("SIGTERM");
    expect(await server.exited).toBe(0);
    const line = /^LOADED (.*)$/m.exec(server.stderr())?.[1];
    expect(line, server.stderr()).toBeDefined();
    const loaded = (line ?? "").split(",");
    // What it does need is there (the report works), what it does not is not.
    expect(loaded).toContain("better-sqlite3");
    expect(loaded).toContain("fastify");
    expect(loaded).not.toContain("pg");
    expect(loaded).not.toContain("ioredis");
  });
});
