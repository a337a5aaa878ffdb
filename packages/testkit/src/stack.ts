/**
 * The full test stack: an in-process simulator plus the built gateway as a child process whose
 * provider base URLs point at the simulator, and an API key created with the gateway's CLI.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startSimulator } from "./server.js";
import type { Simulator, SimulatorOptions } from "./types.js";

export interface StackOptions {
  /** Extra environment for the gateway (and the key command); an undefined value removes a variable. */
  env?: Record<string, string | undefined>;
  /** Extra arguments appended to `serve`. */
  args?: string[];
  /** Options for the simulator (e.g. `apiKey` to make it check the keys the gateway sends). */
  simulator?: SimulatorOptions;
  /** Name of the key created with `keys create` (default "test"). */
  keyName?: string;
  /** Create the key before `serve` starts (default) or after it is listening. */
  createKey?: "before" | "after";
  /** Use this data directory instead of a fresh temp dir (it is then not removed on stop). */
  dataDir?: string;
  /** How long to wait for the listening line (default 15,000 ms). */
  startTimeoutMs?: number;
}

export interface Stack {
  /** Gateway origin, `http://127.0.0.1:PORT` (the OpenAI-compatible API is under `/v1`). */
  gatewayUrl: string;
  /** A fresh `rsk_…` key. */
  token: string;
  simulator: Simulator;
  dataDir: string;
  /** The gateway child process. */
  gateway: ChildProcess;
  /** What the gateway wrote to stderr so far (last 64 KB). */
  stderr(): string;
  /** SIGTERM the gateway (SIGKILL after 10 s), close the simulator, remove the temp dir. Idempotent. */
  stop(): Promise<void>;
}

/** Provider keys the stack hands the gateway; tests can assert the simulator saw them. */
export const STACK_PROVIDER_KEYS = {
  openai: "sim-openai-key",
  anthropic: "sim-anthropic-key",
  gemini: "sim-gemini-key",
} as const;

const LISTENING_RE = /^MeshAPI listening on (http:\/\/\S+)\s*$/;
const STDERR_CAP = 64 * 1024;

/** Absolute path of the gateway's built CLI; resolves the same from src (vitest) and dist. */
export function gatewayCliPath(): string {
  return fileURLToPath(new URL("../../gateway/dist/cli/main.js", import.meta.url));
}

/** True once `npm run build` has produced the gateway CLI. */
export function isGatewayBuilt(): boolean {
  return existsSync(gatewayCliPath());
}

// Children still running when this process exits are killed, so a crashed test run never
// leaves gateways behind.
const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once("exit", () => {
      for (const c of live) c.kill("SIGKILL");
    });
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/**
 * Starts simulator + gateway + key.
 *
 * @example
 * const stack = await startStack();
 * const client = new OpenAI({ baseURL: `${stack.gatewayUrl}/v1`, apiKey: stack.token });
 * // … requests to "openai/gpt-4o-mini" reach stack.simulator …
 * await stack.stop();
 */
export async function startStack(opts: StackOptions = {}): Promise<Stack> {
  const main = gatewayCliPath();
  if (!existsSync(main)) {
    throw new Error(`startStack: the gateway is not built (${main} missing); run \`npm run build\` first`);
  }
  const simulator = await startSimulator(opts.simulator);
  const ownsDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), "meshapi-stack-")));
  const env = stackEnv(simulator, opts.env);
  const cleanup = async (): Promise<void> => {
    await simulator.close();
    if (ownsDir) await rm(dataDir, { recursive: true, force: true });
  };
  let gateway: ChildProcess | null = null;
  try {
    const keyName = opts.keyName ?? "test";
    let token = opts.createKey === "after" ? "" : await createKey(main, dataDir, keyName, env);
    const args = [
      main,
      "serve",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--data-dir",
      dataDir,
      ...(opts.args ?? []),
    ];
    gateway = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    track(gateway);
    const stderr = captureStderr(gateway);
    const gatewayUrl = await waitForListening(gateway, stderr, opts.startTimeoutMs ?? 15_000);
    if (token === "") token = await createKey(main, dataDir, keyName, env);
    const child = gateway;
    let stopping: Promise<void> | null = null;
    return {
      gatewayUrl,
      token,
      simulator,
      dataDir,
      gateway: child,
      stderr: stderr.text,
      stop: () => {
        stopping ??= terminate(child).then(cleanup);
        return stopping;
      },
    };
  } catch (error) {
    if (gateway !== null) await terminate(gateway);
    await cleanup();
    throw error;
  }
}

function stackEnv(
  simulator: Simulator,
  overrides: Record<string, string | undefined> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENAI_API_KEY: STACK_PROVIDER_KEYS.openai,
    OPENAI_BASE_URL: simulator.openaiBaseUrl,
    ANTHROPIC_API_KEY: STACK_PROVIDER_KEYS.anthropic,
    ANTHROPIC_BASE_URL: simulator.url,
    GEMINI_API_KEY: STACK_PROVIDER_KEYS.gemini,
    GEMINI_BASE_URL: simulator.url,
    MESHAPI_LOG_LEVEL: "warn",
  };
  for (const [name, value] of Object.entries(overrides)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

/** Runs `keys create --json` and returns the key. */
function createKey(main: string, dataDir: string, name: string, env: NodeJS.ProcessEnv): Promise<string> {
  const args = [main, "keys", "create", "--name", name, "--json", "--data-dir", dataDir];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { env, timeout: 15_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`startStack: \`keys create\` failed: ${error.message}\nstderr: ${stderr}`));
        return;
      }
      const key = findKey(stdout);
      if (key === null) reject(new Error(`startStack: no "key" in \`keys create --json\` output: ${stdout}`));
      else resolve(key);
    });
  });
}

function findKey(stdout: string): string | null {
  const candidates = [stdout.trim(), ...stdout.split("\n").map((l) => l.trim())];
  for (const candidate of candidates) {
    if (!candidate.startsWith("{")) continue;
    try {
      const parsed: unknown = JSON.parse(candidate);
      if (
        typeof parsed === "object" &&
        parsed !== null &&
        typeof (parsed as { key?: unknown }).key === "string"
      ) {
        return (parsed as { key: string }).key;
      }
    } catch {
      // not this line
    }
  }
  return null;
}

function captureStderr(child: ChildProcess): { text: () => string } {
  let buffer = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (chunk: string) => {
    buffer += chunk;
    if (buffer.length > STDERR_CAP * 2) buffer = buffer.slice(-STDERR_CAP);
  });
  return { text: () => (buffer.length > STDERR_CAP ? buffer.slice(-STDERR_CAP) : buffer) };
}

function waitForListening(
  child: ChildProcess,
  stderr: { text: () => string },
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let pending = "";
    let settled = false;
    const finish = (error: Error | null, url?: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(url as string);
    };
    const timer = setTimeout(() => {
      finish(
        new Error(
          `startStack: gateway did not print its listening line within ${timeoutMs} ms\nstderr: ${stderr.text()}`,
        ),
      );
    }, timeoutMs);
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish(
        new Error(
          `startStack: gateway exited (code ${code}, signal ${signal}) before listening\nstderr: ${stderr.text()}`,
        ),
      );
    };
    child.once("exit", onExit);
    child.stdout?.setEncoding("utf8");
    // Keep draining stdout after the listening line so the pipe never fills up.
    child.stdout?.on("data", (chunk: string) => {
      if (settled) return;
      pending += chunk;
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        const line = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        const match = LISTENING_RE.exec(line);
        if (match) {
          finish(null, match[1] as string);
          return;
        }
        newline = pending.indexOf("\n");
      }
    });
  });
}

/** SIGTERM, then SIGKILL if the process is still alive after 10 s. */
function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
