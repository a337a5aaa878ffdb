import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** packages/sdk */
export const SDK_DIR = fileURLToPath(new URL("../..", import.meta.url));
export const REPO_DIR = join(SDK_DIR, "..", "..");
const TSUP = join(REPO_DIR, "node_modules", ".bin", "tsup");
const TSC = join(REPO_DIR, "node_modules", ".bin", "tsc");

/** The package's own build command, pointed at `outDir`. */
export async function buildSdk(outDir: string): Promise<void> {
  await run(
    TSUP,
    ["src/index.ts", "--format", "esm,cjs", "--dts", "--clean", "--target", "es2022", "--out-dir", outDir],
    {
      cwd: SDK_DIR,
    },
  );
}

/**
 * Builds `dist/` when it is missing or older than a source file, so tests that use the package by
 * name (as users do) never run a stale build.
 */
export async function ensureDist(): Promise<void> {
  const distFile = join(SDK_DIR, "dist", "index.js");
  let builtAt = 0;
  try {
    builtAt = statSync(distFile).mtimeMs;
  } catch {
    // not built
  }
  if (builtAt === 0 || newestMtime(join(SDK_DIR, "src")) > builtAt) await buildSdk("dist");
}

/** Runs the TypeScript compiler on a project; returns its diagnostics output. */
export async function typecheck(project: string): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout } = await run(TSC, ["-p", project], { cwd: REPO_DIR });
    return { ok: true, output: stdout };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}
