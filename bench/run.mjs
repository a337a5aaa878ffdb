// `npm run bench`: throughput and latency through the gateway against the simulator directly, with
// the same load in the same run, plus cancellation latency and the SDK's SSE parsing speed.
// Knobs: BENCH_DURATION_MS (default 5000), BENCH_CONCURRENCY (default 32).
import { existsSync, writeFileSync } from "node:fs";
import { measureCancellation, startSlowUpstream } from "./lib/cancel.mjs";
import { runLoad } from "./lib/load.mjs";
import { startGatewayProcess, startSimulatorProcess, tempDir } from "./lib/processes.mjs";

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");

const { dir, remove } = tempDir();
const slow = await startSlowUpstream();
const sim = await startSimulatorProcess(dir);
const gw = await startGatewayProcess(dir, sim.url);
const rows = [];
try {
  const scenarios = [
    {
      name: "chat, non-stream",
      body: (model) => ({ model, messages: [{ role: "user", content: "What is the capital of France?" }] }),
    },
    {
      name: "chat, stream (20 chunks)",
      body: (model) => ({ model, stream: true, messages: [{ role: "user", content: "[[sim:words=20]]" }] }),
    },
  ];
  for (const s of scenarios) {
    const direct = await runLoad({
      url: sim.url,
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer sim-openai-key" },
      body: s.body("gpt-4o-mini"),
      concurrency,
      durationMs,
    });
    const through = await runLoad({
      url: gw.url,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${gw.key}` },
      body: s.body("openai/gpt-4o-mini"),
      concurrency,
      durationMs,
    });
    rows.push({ scenario: s.name, direct, through });
    process.stderr.write(`${s.name}: direct ${fmt(direct.rps)} rps, gateway ${fmt(through.rps)} rps\n`);
  }
} finally {
  await gw.stop();
}

// Cancellation: a separate gateway whose "slow" provider is the tiny upstream above.
const configPath = `${dir}/slow.json`;
writeFileSync(
  configPath,
  JSON.stringify({ providers: { slow: { baseUrl: `${slow.url}/v1`, apiKeyEnv: "SLOW_API_KEY" } } }),
);
const cancelGw = await startGatewayProcess(dir, sim.url, { SLOW_API_KEY: "k", MESHAPI_CONFIG: configPath });
let cancel;
try {
  cancel = await measureCancellation({ gatewayUrl: cancelGw.url, key: cancelGw.key, upstream: slow });
} finally {
  await cancelGw.stop();
  await sim.stop();
  await slow.close();
}

let sdkRows = [];
const sdkBench = new URL("./sdk/sse-parse.mjs", import.meta.url);
if (existsSync(sdkBench)) {
  try {
    sdkRows = await (await import(sdkBench.href)).run();
  } catch (err) {
    process.stderr.write(`SDK benchmark failed: ${err.message}\n`);
  }
}
remove();

const lines = [
  `MeshAPI benchmark — ${new Date().toISOString()} — node ${process.version}, concurrency ${concurrency}, ${durationMs} ms per run`,
  "",
  "| scenario | direct to simulator (req/s) | through gateway (req/s) | ratio | gateway p50 (ms) | gateway p99 (ms) | errors |",
  "|---|---:|---:|---:|---:|---:|---:|",
  ...rows.map(
    (r) =>
      `| ${r.scenario} | ${fmt(r.direct.rps)} | ${fmt(r.through.rps)} | ${fmt(r.through.rps / r.direct.rps, 2)} | ${fmt(r.through.p50, 2)} | ${fmt(r.through.p99, 2)} | ${r.through.errors} |`,
  ),
  "",
  "| client disconnect → upstream aborted | median (ms) | max (ms) |",
  "|---|---:|---:|",
  `| streaming | ${fmt(cancel.stream.median, 2)} | ${fmt(cancel.stream.max, 2)} |`,
  `| non-streaming | ${fmt(cancel.nonStream.median, 2)} | ${fmt(cancel.nonStream.max, 2)} |`,
];
if (sdkRows.length > 0) {
  lines.push(
    "",
    "| SSE parsing | chunks/s |",
    "|---|---:|",
    ...sdkRows.map((r) => `| ${r.name} | ${fmt(r.chunksPerSec)} |`),
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
