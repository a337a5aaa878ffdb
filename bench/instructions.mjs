// Instructions per request of one or more gateway builds, counted by valgrind's callgrind, over every
// thread of the gateway process (the usage worker and V8's helpers too), not the kernel (nor Redis, in
// shared mode). Requests go one at a time, or CONC at once (batching — usage events, Redis calls —
// then works as it does under load). Counts do not depend on what else the machine runs, but a single
// run still varies by up to ~25 %: a major GC or a re-optimisation falls inside the counted window or
// not. So each build is measured REPEAT times (default 3), interleaved, and the median is what to compare.
//
//   node bench/instructions.mjs [DIR ...]
//
// Each DIR holds a built gateway (`DIR/dist/cli/main.js`); default: packages/gateway; `bare` measures
// the bench's bare proxy (bench/bare-proxy.mjs), the reference the gateway is compared with. To compare a
// change, copy `packages/gateway/dist` and `package.json` somewhere before and after it. Knobs:
// WARM (requests before counting, default 2000), N (requests counted, default 1000), REPEAT, KEYARGS
// (extra `keys create` flags, e.g. "--rpm 1000000"), GW_ENV (JSON of extra gateway environment), CONC
// (concurrent requests, default 1), STREAM=1 (streamed answers of 20 chunks instead of one JSON answer),
// GW_NODE_ARGS (node flags for the gateway, e.g. "--optimize-for-size").
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Pool } from "undici";
import { startSimulatorProcess, tempDir } from "./lib/processes.mjs";

const warm = Number(process.env.WARM ?? 2000);
const counted = Number(process.env.N ?? 1000);
const stream = process.env.STREAM === "1";
const body = JSON.stringify({
  model: "openai/gpt-4o-mini",
  stream,
  messages: [{ role: "user", content: stream ? "[[sim:words=20]]" : "What is the capital of France?" }],
});
const bareProxy = fileURLToPath(new URL("./bare-proxy.mjs", import.meta.url));

async function instructionsPerRequest(buildDir, dir, simUrl) {
  const dataDir = join(dir, `gw-${Math.random().toString(36).slice(2)}`);
  let key = "none";
  let args = [bareProxy, "--upstream", simUrl];
  if (buildDir !== "bare") {
    const cli = join(buildDir, "dist/cli/main.js");
    const keyArgs = (process.env.KEYARGS ?? "").split(" ").filter(Boolean);
    const created = execFileSync(process.execPath, [
      cli,
      "keys",
      "create",
      "--name",
      "b",
      "--json",
      "--data-dir",
      dataDir,
      ...keyArgs,
    ]);
    key = JSON.parse(created.toString()).key;
    args = [cli, "serve", "--port", "0", "--data-dir", dataDir];
  }
  const outDir = `${dataDir}-callgrind`;
  mkdirSync(outDir, { recursive: true });
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      `--callgrind-out-file=${outDir}/cg.%p`,
      process.execPath,
      ...(buildDir === "bare" ? [] : (process.env.GW_NODE_ARGS ?? "").split(" ").filter(Boolean)),
      ...args,
    ],
    {
      env: {
        ...process.env,
        OPENAI_API_KEY: "sim-openai-key",
        OPENAI_BASE_URL: `${simUrl}/v1`,
        ...JSON.parse(process.env.GW_ENV ?? "{}"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr += d;
  });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening on (http:\/\/\S+)\n/.exec(out);
      if (m) resolve(m[1]);
    });
    child.on("exit", (code) => reject(new Error(`gateway exited with ${code}: ${stderr.slice(-2000)}`)));
  });
  const conc = Number(process.env.CONC ?? 1);
  const pool = new Pool(url, { connections: conc });
  const run = (n) => Promise.all(Array.from({ length: conc }, () => runOne(Math.ceil(n / conc))));
  const runOne = async (n) => {
    for (let i = 0; i < n; i++) {
      const res = await pool.request({
        method: "POST",
        path: "/v1/chat/completions",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body,
      });
      const text = await res.body.text();
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    }
  };
  try {
    await run(warm);
    await new Promise((r) => setTimeout(r, 500));
    execFileSync("callgrind_control", ["-z", String(child.pid)], { stdio: "ignore" });
    await run(counted);
    await new Promise((r) => setTimeout(r, 300));
    execFileSync("callgrind_control", ["-d", String(child.pid)], { stdio: "ignore" });
  } finally {
    await pool.close();
    child.kill("SIGTERM");
    await new Promise((r) => child.on("exit", r));
  }
  // The dump taken after zeroing is part 1 (`cg.PID.1`).
  const dump = readdirSync(outDir).find((f) => f.endsWith(".1"));
  const total = dump && /\n(?:totals|summary): (\d+)/.exec(readFileSync(join(outDir, dump), "utf8"));
  if (!total) throw new Error(`no callgrind dump in ${outDir}`);
  return Number(total[1]) / (Math.ceil(counted / conc) * conc);
}

const dirs = process.argv.slice(2);
if (dirs.length === 0) dirs.push(fileURLToPath(new URL("../packages/gateway", import.meta.url)));
const repeat = Number(process.env.REPEAT ?? 3);
const { dir, remove } = tempDir();
const sim = await startSimulatorProcess(dir);
try {
  const runs = new Map(dirs.map((d) => [d, []]));
  for (let r = 0; r < repeat; r++) {
    for (const d of dirs) runs.get(d).push(await instructionsPerRequest(d, dir, sim.url));
  }
  for (const [d, counts] of runs) {
    const sorted = [...counts].sort((a, b) => a - b);
    const k = (n) => `${Math.round(n / 1000)}k`;
    process.stdout.write(
      `${d}: median ${k(sorted[Math.floor(sorted.length / 2)])} instructions per request (runs: ${counts.map(k).join(", ")})\n`,
    );
  }
} finally {
  await sim.stop();
  remove();
}
