import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import { CLI, runCli, type ServerProcess, startServer } from "../helpers/cli.js";

export const built = existsSync(CLI);
export const builtSkipNote = "skipping multi-process tests: run `npm run build -w @meshapi/gateway` first";

/** A simulator, a data dir and the environment that points gateway processes and the CLI at them. */
export interface ProcessRig {
  sim: Simulator;
  dataDir: string;
  env: Record<string, string>;
  cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** A new key, created with the CLI; `limits` are `keys create` options. */
  createKey(limits?: string[]): Promise<{ id: string; key: string }>;
  serve(): Promise<ServerProcess>;
  close(): Promise<void>;
}

export async function startRig(modeEnv: Record<string, string>): Promise<ProcessRig> {
  const sim = await startSimulator();
  const dataDir = mkdtempSync(join(tmpdir(), "meshapi-proc-"));
  const env = {
    OPENAI_API_KEY: "sim-openai-key",
    OPENAI_BASE_URL: sim.openaiBaseUrl,
    MESHAPI_DATA_DIR: dataDir,
    MESHAPI_KEY_POLL_INTERVAL_MS: "500",
    ...modeEnv,
  };
  const servers: ServerProcess[] = [];
  const rig: ProcessRig = {
    sim,
    dataDir,
    env,
    cli: (args) => runCli(args, env),
    async createKey(limits = []) {
      const res = await runCli(["keys", "create", "--name", "rig", "--json", ...limits], env);
      if (res.code !== 0) throw new Error(`keys create failed: ${res.stderr}`);
      return JSON.parse(res.stdout) as { id: string; key: string };
    },
    async serve() {
      const server = await startServer([], env);
      servers.push(server);
      return server;
    },
    async close() {
      for (const s of servers) if (s.child.exitCode === null) s.child.kill("SIGKILL");
      await Promise.all(servers.map((s) => s.exited));
      await sim.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return rig;
}

export function chat(url: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

export async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}
