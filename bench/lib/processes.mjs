// Starts the simulator and the gateway as child processes, the way they run in production, and
// resolves once each printed its "listening on" line.
import { spawn } from "node:child_process";
import { mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
export const SIM_CLI = join(root, "packages/testkit/dist/cli.js");
export const GATEWAY_CLI = join(root, "packages/gateway/dist/cli/main.js");

function startListening(args, env, pattern, logFile) {
  const script = args.find((a) => !a.startsWith("-")) ?? args[0];
  return new Promise((resolve, reject) => {
    const err = openSync(logFile, "w");
    const child = spawn(process.execPath, args, {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", err],
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${script} did not start; see ${logFile}`)), 20_000);
    child.stdout.on("data", (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], child, stop: () => stop(child) });
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}; see ${logFile}`));
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

export async function startSimulatorProcess(dir) {
  return startListening(
    [SIM_CLI, "--port", "0", "--no-record"],
    {},
    /Simulator listening on (http:\/\/\S+)\n/,
    join(dir, "sim.log"),
  );
}

/** The bench's reference: a bare Node proxy in front of the simulator (bench/bare-proxy.mjs). */
export async function startBareProxyProcess(dir, simUrl) {
  return startListening(
    [join(root, "bench/bare-proxy.mjs"), "--upstream", simUrl],
    {},
    /Bare proxy listening on (http:\/\/\S+)\n/,
    join(dir, "bare-proxy.log"),
  );
}

/** A gateway with its own SQLite data dir and one key; logs at the default level go to a file. */
export async function startGatewayProcess(
  dir,
  simUrl,
  env = {},
  nodeArgs = nodeArgsFromEnv(),
  cli = GATEWAY_CLI,
) {
  const dataDir = join(dir, `gw-${Date.now()}`);
  const keyOut = await new Promise((resolve, reject) => {
    const c = spawn(process.execPath, [
      cli,
      "keys",
      "create",
      "--name",
      "bench",
      "--json",
      "--data-dir",
      dataDir,
    ]);
    let out = "";
    c.stdout.on("data", (d) => {
      out += d;
    });
    c.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`keys create exited ${code}`))));
  });
  const key = JSON.parse(keyOut).key;
  const serve = () =>
    startListening(
      [...nodeArgs, cli, "serve", "--port", "0", "--data-dir", dataDir],
      {
        OPENAI_API_KEY: "sim-openai-key",
        OPENAI_BASE_URL: `${simUrl}/v1`,
        ANTHROPIC_API_KEY: "sim-anthropic-key",
        ANTHROPIC_BASE_URL: simUrl,
        GEMINI_API_KEY: "sim-gemini-key",
        GEMINI_BASE_URL: simUrl,
        ...env,
      },
      /MeshAPI listening on (http:\/\/\S+)\n/,
      join(dir, "gateway.log"),
    );
  const gw = await serve();
  // `relaunch` starts another process on the same data dir (same keys): stop this one first.
  return { ...gw, key, dataDir, relaunch: serve };
}

/** Extra node flags for the gateway under test, e.g. BENCH_GATEWAY_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p". */
function nodeArgsFromEnv() {
  return (process.env.BENCH_GATEWAY_NODE_ARGS ?? "").split(" ").filter(Boolean);
}

export function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "meshapi-bench-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
