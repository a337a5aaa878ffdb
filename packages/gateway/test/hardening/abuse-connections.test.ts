import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Simulator, startSimulator } from "@meshapi/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ServerProcess, startServer } from "../helpers/cli.js";
import { openSocket } from "./raw-socket.js";

/** Open file descriptors of a process: each TCP connection the gateway holds is one. */
function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Resident set size of a process in MB, from /proc (the gateway runs as a real child process). */
function rssMb(pid: number): number {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return Number(kb) / 1024;
}

async function openIdle(url: string, n: number): Promise<{ sockets: Socket[]; closed: () => number }> {
  let closed = 0;
  const sockets: Socket[] = [];
  // In batches, so the accept queue never overflows into client-side errors.
  for (let i = 0; i < n; i += 200) {
    const batch = await Promise.all(Array.from({ length: Math.min(200, n - i) }, () => openSocket(url)));
    for (const s of batch) {
      s.on("error", () => {});
      s.on("close", () => closed++);
      sockets.push(s);
    }
  }
  return { sockets, closed: () => closed };
}

async function until(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return check();
}

describe.skipIf(process.platform !== "linux")("abuse: thousands of idle connections", () => {
  let sim: Simulator;
  let gw: ServerProcess;
  let key: string;
  let dataDir: string;
  beforeAll(async () => {
    sim = await startSimulator();
    dataDir = mkdtempSync(join(tmpdir(), "meshapi-idle-"));
    gw = await startServer(["--data-dir", dataDir], {
      OPENAI_API_KEY: "sim-openai-key",
      OPENAI_BASE_URL: sim.openaiBaseUrl,
      MESHAPI_HEADERS_TIMEOUT_MS: "3000",
      MESHAPI_KEEP_ALIVE_TIMEOUT_MS: "1000",
    });
    key = /(rsk_\S+)/.exec(gw.stderr())?.[1] ?? "";
  });
  afterAll(async () => {
    gw.child.kill("SIGTERM");
    await gw.exited;
    await sim.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const chat = () =>
    fetch(`${gw.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "openai/gpt-4o-mini", messages: [{ role: "user", content: "hi" }] }),
    });

  it("2,000 idle sockets: real requests still served, all cut by the headers timeout, RSS bounded", async () => {
    const pid = gw.child.pid as number;
    expect((await chat()).status).toBe(200);
    const before = rssMb(pid);
    const fdsBefore = openFds(pid);
    const idle = await openIdle(gw.url, 2_000);
    // The gateway answers real traffic while holding them.
    const statuses = await Promise.all(Array.from({ length: 20 }, () => chat().then((r) => r.status)));
    expect(statuses).toEqual(Array(20).fill(200));
    const peak = rssMb(pid);
    expect(openFds(pid) - fdsBefore).toBeGreaterThan(1_500);
    // Sockets that never send a byte are closed once the headers timeout (3 s) runs out. Counted on the
    // gateway's side: under a burst the kernel may drop a few handshakes the client believes complete.
    // A few dozen remain legitimately: the upstream pool's keep-alive connections from the 20 chats.
    await until(() => openFds(pid) - fdsBefore < 100, 15_000);
    expect(openFds(pid) - fdsBefore).toBeLessThan(100);
    expect(idle.closed()).toBeGreaterThan(1_900);
    for (const s of idle.sockets) s.destroy();
    expect(peak - before).toBeLessThan(150);
    expect((await chat()).status).toBe(200);
    expect(gw.child.exitCode).toBeNull();
  });

  it("a keep-alive connection left idle after a response is closed after the keep-alive timeout", async () => {
    const socket = await openSocket(gw.url);
    let text = "";
    socket.setEncoding("latin1");
    socket.on("data", (d: string) => {
      text += d;
    });
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    const started = Date.now();
    await closed;
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});

describe("abuse: MESHAPI_MAX_CONNECTIONS", () => {
  let gw: ServerProcess;
  let dataDir: string;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "meshapi-maxconn-"));
    gw = await startServer(["--data-dir", dataDir], { MESHAPI_MAX_CONNECTIONS: "50" });
  });
  afterAll(async () => {
    gw.child.kill("SIGTERM");
    await gw.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("connections past the cap are closed on accept; the gateway serves again once they go", async () => {
    const idle = await openIdle(gw.url, 80);
    expect(await until(() => idle.closed() >= 30, 5_000)).toBe(true);
    for (const s of idle.sockets) s.destroy();
    await until(() => idle.closed() === 80, 5_000);
    // The gateway notices the closes on its side a moment later.
    await new Promise((r) => setTimeout(r, 300));
    const res = await fetch(`${gw.url}/healthz`);
    expect(res.status).toBe(200);
  });
});
