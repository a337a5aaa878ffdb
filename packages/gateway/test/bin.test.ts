import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLI } from "./helpers/cli.js";

/** The README's way of running the CLI: `npx meshapi …` from the repository, `npx @meshapi/gateway …` from npm. */
const root = fileURLToPath(new URL("../../../", import.meta.url));
const readme = readFileSync(join(root, "README.md"), "utf8");
const built = existsSync(CLI);
if (!built) console.warn(`skipping bin tests: ${CLI} is missing (run npm run build)`);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function npx(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["--no-install", ...args], {
      cwd: root,
      env: { ...process.env, MESHAPI_LOG_LEVEL: "warn", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The shell lines of the README's bash blocks. */
function readmeShellLines(): string[] {
  const blocks = [...readme.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1] ?? "");
  return blocks.flatMap((b) => b.split("\n")).map((l) => l.trim());
}

describe.skipIf(!built)("the meshapi bin", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "meshapi-bin-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("is a committed, executable file, so that npm install links it on a fresh clone (before any build)", () => {
    const bin = JSON.parse(readFileSync(join(root, "packages/gateway/package.json"), "utf8")).bin.meshapi;
    // npm leaves a bin unlinked when its file is missing at install time: a dist/ path would be.
    expect(bin).not.toMatch(/^(\.\/)?dist\//);
    const staged = execFileSync("git", ["ls-files", "-s", `packages/gateway/${bin}`], {
      cwd: root,
      encoding: "utf8",
    });
    expect(staged).toMatch(/^100755 /);
    expect(
      readFileSync(join(root, "packages/gateway", bin), "utf8").startsWith("#!/usr/bin/env node\n"),
    ).toBe(true);
  });

  it("every CLI command in the README is written the way that works: npx meshapi …", () => {
    const cli = readmeShellLines().filter((l) => /(^|\s)meshapi\s/.test(l) && !l.startsWith("#"));
    expect(cli.length).toBeGreaterThan(2);
    for (const line of cli) expect(line, line).toMatch(/^npx (meshapi|@meshapi\/gateway) /);
  });

  it("npx meshapi keys create / list works from the repository, as the README says", async () => {
    const env = { MESHAPI_DATA_DIR: dir };
    const created = await npx(["meshapi", "keys", "create", "--name", "readme", "--json"], env);
    expect(created.code, created.stderr).toBe(0);
    const key = JSON.parse(created.stdout) as { id: string; key: string };
    expect(key.key).toMatch(/^rsk_/);
    const listed = await npx(["meshapi", "keys", "list", "--json"], env);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(key.id);
    expect(listed.stdout).not.toContain(key.key);
  });

  it("npx @meshapi/gateway serve starts the gateway", async () => {
    const child = spawn(
      "npx",
      ["--no-install", "@meshapi/gateway", "serve", "--port", "0", "--data-dir", dir],
      {
        cwd: root,
        env: { ...process.env, MESHAPI_LOG_LEVEL: "warn" },
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /MeshAPI listening on (http:\/\/\S+)\n/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        exited.then((code) => reject(new Error(`serve exited with ${code}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      // The group holds npx and the node process it started.
      if (child.pid) process.kill(-child.pid, "SIGTERM");
      await exited;
    }
  });
});
