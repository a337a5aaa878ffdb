import { type ChildProcess, execFile, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * Redis and PostgreSQL servers of a test's own, on spare loopback ports, that the test can stop and
 * start again mid-load. Never the machine's shared instances: stopping those would break every other
 * test run on the machine.
 */

const run = promisify(execFile);

const PG_BIN = "/usr/lib/postgresql/15/bin";

export const redisServerAvailable =
  existsSync("/usr/bin/redis-server") || existsSync("/usr/local/bin/redis-server");
/** initdb refuses to run as root, so as root the cluster is run as the `postgres` user via runuser. */
export const postgresAvailable =
  existsSync(join(PG_BIN, "initdb")) && (process.getuid?.() !== 0 || existsSync("/usr/sbin/runuser"));

/** A free loopback port (free now; the server that takes it binds it at once). */
export async function sparePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface OwnServer {
  url: string;
  /** Kills the server (SIGKILL for Redis, an immediate shutdown for PostgreSQL): connections reset. */
  stop(): Promise<void>;
  /** Starts it again on the same port (Redis comes back empty: it saves nothing). */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnServer> {
  const port = await sparePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    const proc = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--daemonize",
        "no",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      proc.stdout?.on("data", (d) => {
        out += d;
        if (out.includes("Ready to accept connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.on("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${out}`));
      });
    });
  };
  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.on("exit", r));
    proc.kill("SIGKILL");
    await exited;
  };
  await start();
  return { url: `redis://127.0.0.1:${port}`, stop, start, close: stop };
}

/** A throwaway PostgreSQL cluster (initdb in a temp dir, fsync off: nothing here needs to survive the host). */
export async function startOwnPostgres(): Promise<OwnServer> {
  const port = await sparePort();
  const dir = mkdtempSync(join(tmpdir(), "meshapi-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(dir, 0o755);
    const { stdout } = await run("id", ["-u", "postgres"]);
    const uid = Number(stdout.trim());
    const gid = Number((await run("id", ["-g", "postgres"])).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const pg = (tool: string, args: string[]) =>
    asRoot
      ? run("runuser", ["-u", "postgres", "--", join(PG_BIN, tool), ...args])
      : run(join(PG_BIN, tool), args);
  await pg("initdb", ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=50`;
  const start = async () => {
    await pg("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "log"), "-w", "-t", "20", "start"]);
  };
  // `immediate`: the server quits at once, without a checkpoint, resetting every connection (a crash).
  const stop = async () => {
    await pg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop,
    start,
    async close() {
      await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
