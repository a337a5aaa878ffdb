// `npm run bench`: throughput and latency through the gateway against the simulator directly and
// against a bare Node proxy (bench/bare-proxy.mjs, the reference the gateway is judged by), with the
// same load in the same rounds, plus cancellation latency and the SDK's SSE parsing speed.
// Knobs: BENCH_DURATION_MS (default 5000), BENCH_CONCURRENCY (default 32), BENCH_ROUNDS (default 3),
// BENCH_WARMUP_MS (default 3000), BENCH_GATEWAY_NODE_ARGS (extra node flags for the gateway, e.g. --cpu-prof);
// the governance rows have their own: BENCH_GOV_SLICE_MS (default 1500), BENCH_GOV_WARMUP_MS (default 1000),
// BENCH_GOV_ROUNDS (default 30), BENCH_GOV_RESTART_ROUNDS (default 10); the routing rows BENCH_ROUTING_SLICE_MS
// (default 1500) and BENCH_ROUTING_ROUNDS (default 16), also used by the metrics rows. BENCH_ONLY picks parts
// (comma-separated: throughput, governance, routing, metrics, streams-memory, open-loop, cancel, sdk).
// The streams-memory and open-loop rows have their own knobs (lib/streams-memory.mjs, lib/open-loop-bench.mjs).
import { existsSync, writeFileSync } from "node:fs";
import { measureCancellation, startSlowUpstream } from "./lib/cancel.mjs";
import { runGovernanceBench } from "./lib/governance.mjs";
import { runLoad } from "./lib/load.mjs";
import { runOpenLoopBench } from "./lib/open-loop-bench.mjs";
import { canReadProcMemory } from "./lib/proc-memory.mjs";
import {
  startBareProxyProcess,
  startGatewayProcess,
  startSimulatorProcess,
  tempDir,
} from "./lib/processes.mjs";
import { runMetricsBench, runRoutingBench } from "./lib/routing.mjs";
import { median } from "./lib/stats.mjs";
import { runStreamsMemoryBench } from "./lib/streams-memory.mjs";

const durationMs = Number(process.env.BENCH_DURATION_MS ?? 5000);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 32);
const roundCount = Number(process.env.BENCH_ROUNDS ?? 3);
const fmt = (n, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
const only = (process.env.BENCH_ONLY ?? "").split(",").filter(Boolean);
const runs = (part) => only.length === 0 || only.includes(part);

const { dir, remove } = tempDir();
const slow = await startSlowUpstream();
const sim = await startSimulatorProcess(dir);
const rows = [];
if (runs("throughput")) {
  const gw = await startGatewayProcess(dir, sim.url);
  // The reference row: a bare proxy doing only the JSON work every gateway must do (bench/bare-proxy.mjs).
  const bare = await startBareProxyProcess(dir, sim.url);
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
      // The response cache: after the first request every one is a hit (no upstream call); "direct" is
      // still the simulator answering live, for scale.
      {
        name: "chat, non-stream, cache hit",
        body: (model) => ({ model, messages: [{ role: "user", content: "What is the capital of France?" }] }),
        cached: true,
      },
      {
        name: "chat, stream (20 chunks), cache hit",
        body: (model) => ({ model, stream: true, messages: [{ role: "user", content: "[[sim:words=20]]" }] }),
        cached: true,
      },
    ];
    // The same conversations with an Anthropic-format upstream: the gateway translates request, response
    // and every stream event (providers/anthropic). Direct = the simulator's /v1/messages, same content.
    const anthropicBody = (s) => {
      const openai = s.body("claude-haiku-4-5");
      return {
        ...openai,
        max_tokens: 64000,
        messages: openai.messages.map((m) => ({
          role: m.role,
          content: [{ type: "text", text: m.content }],
        })),
      };
    };
    const upstreams = [
      {
        label: "",
        path: "/v1/chat/completions",
        headers: { authorization: "Bearer sim-openai-key" },
        direct: (s) => s.body("gpt-4o-mini"),
        model: "openai/gpt-4o-mini",
        // The bare proxy speaks OpenAI's format only, so only these rows get a bare-proxy figure.
        bare: true,
      },
      {
        label: ", Anthropic upstream (translated)",
        path: "/v1/messages",
        headers: { "x-api-key": "sim-anthropic-key", "anthropic-version": "2023-06-01" },
        direct: anthropicBody,
        model: "anthropic/claude-haiku-4-5",
      },
    ];
    // Direct and through-gateway runs alternate for BENCH_ROUNDS rounds; each row reports medians, and its
    // ratio is the median of the rounds' own ratios, so drift on a shared machine hits both sides alike.
    for (const s of scenarios) {
      for (const u of upstreams) {
        // A hit never reaches the upstream, so one upstream is enough for the cache rows.
        if (s.cached && u.label !== "") continue;
        const rounds = [];
        for (let round = 0; round < roundCount; round++) {
          const direct = await runLoad({
            url: sim.url,
            path: u.path,
            headers: u.headers,
            body: u.direct(s),
            concurrency,
            durationMs,
          });
          const through = await runLoad({
            url: gw.url,
            path: "/v1/chat/completions",
            headers: { authorization: `Bearer ${gw.key}` },
            body: s.cached ? { ...s.body(u.model), cache: { ttl: 3600 } } : s.body(u.model),
            concurrency,
            durationMs,
          });
          const viaBare = u.bare
            ? await runLoad({
                url: bare.url,
                path: "/v1/chat/completions",
                headers: {},
                body: s.body(u.model),
                concurrency,
                durationMs,
              })
            : undefined;
          rounds.push({ direct, through, bare: viaBare });
          process.stderr.write(
            `${s.name}${u.label}, round ${round + 1}: direct ${fmt(direct.rps)} rps, gateway ${fmt(through.rps)} rps${viaBare ? `, bare proxy ${fmt(viaBare.rps)} rps` : ""}\n`,
          );
        }
        const passThrough = rows.find((r) => r.scenario === s.name.replace(", cache hit", ""));
        const through = {
          rps: median(rounds.map((r) => r.through.rps)),
          p50: median(rounds.map((r) => r.through.p50)),
          p99: median(rounds.map((r) => r.through.p99)),
          errors: rounds.reduce((n, r) => n + r.through.errors, 0),
        };
        rows.push({
          scenario: `${s.name}${u.label}`,
          direct: { rps: median(rounds.map((r) => r.direct.rps)) },
          through,
          ratio: median(rounds.map((r) => r.through.rps / r.direct.rps)),
          bare: u.bare ? median(rounds.map((r) => r.bare.rps)) : undefined,
          // The headline: the gateway against the bare proxy, round by round (stable across machines).
          vsBare: u.bare ? median(rounds.map((r) => r.through.rps / r.bare.rps)) : undefined,
          vsPassThrough: passThrough ? through.rps / passThrough.through.rps : undefined,
        });
      }
    }
  } finally {
    await gw.stop();
    await bare.stop();
  }
}

// Governance: limits, spend caps and accounting on (embedded, Redis) vs off, on their own gateways.
// Short paired slices of its own (BENCH_GOV_SLICE_MS, BENCH_GOV_WARMUP_MS, BENCH_GOV_ROUNDS; see
// lib/governance.mjs).
const governance = runs("governance")
  ? await runGovernanceBench({ dir, simUrl: sim.url, concurrency, log: (line) => process.stderr.write(line) })
  : [];

// Routing: two weighted deployments of one public name against one plain model; and the cost of the
// Prometheus metrics, on against off (lib/routing.mjs, lib/paired.mjs).
const log = (line) => process.stderr.write(line);
const routing = [
  ...(runs("routing") ? await runRoutingBench({ dir, simUrl: sim.url, concurrency, log }) : []),
  ...(runs("metrics") ? await runMetricsBench({ dir, simUrl: sim.url, concurrency, log }) : []),
];

// Memory under 1,000 open slow streams (fresh processes; Linux's /proc), and latency at a fixed rate.
const memory =
  runs("streams-memory") && canReadProcMemory()
    ? await runStreamsMemoryBench({ dir, simUrl: sim.url, log })
    : undefined;
const openLoop = runs("open-loop") ? await runOpenLoopBench({ dir, simUrl: sim.url, log }) : undefined;

// Cancellation: a separate gateway whose "slow" provider is the tiny upstream above.
const configPath = `${dir}/slow.json`;
writeFileSync(
  configPath,
  JSON.stringify({ providers: { slow: { baseUrl: `${slow.url}/v1`, apiKeyEnv: "SLOW_API_KEY" } } }),
);
let cancel;
try {
  if (runs("cancel")) {
    const cancelGw = await startGatewayProcess(dir, sim.url, {
      SLOW_API_KEY: "k",
      MESHAPI_CONFIG: configPath,
    });
    try {
      cancel = await measureCancellation({ gatewayUrl: cancelGw.url, key: cancelGw.key, upstream: slow });
    } finally {
      await cancelGw.stop();
    }
  }
} finally {
  await sim.stop();
  await slow.close();
}

let sdkRows = [];
const sdkBench = new URL("./sdk/sse-parse.mjs", import.meta.url);
if (runs("sdk") && existsSync(sdkBench)) {
  try {
    sdkRows = await (await import(sdkBench.href)).run();
  } catch (err) {
    process.stderr.write(`SDK benchmark failed: ${err.message}\n`);
  }
}
remove();

const lines = [
  `MeshAPI benchmark — ${new Date().toISOString()} — node ${process.version}, concurrency ${concurrency}, ${durationMs} ms per run, medians of ${roundCount} interleaved rounds`,
];
if (rows.length > 0)
  lines.push(
    "",
    "| scenario | direct to simulator (req/s) | bare proxy (req/s) | through gateway (req/s) | gateway vs bare proxy | gateway vs direct | vs pass-through | gateway p50 (ms) | gateway p99 (ms) | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.scenario} | ${fmt(r.direct.rps)} | ${r.bare === undefined ? "—" : fmt(r.bare)} | ${fmt(r.through.rps)} | ${r.vsBare === undefined ? "—" : fmt(r.vsBare, 2)} | ${fmt(r.ratio, 2)} | ${r.vsPassThrough === undefined ? "—" : fmt(r.vsPassThrough, 2)} | ${fmt(r.through.p50, 2)} | ${fmt(r.through.p99, 2)} | ${r.through.errors} |`,
    ),
  );
if (governance.length > 0)
  lines.push(
    "",
    "| governance (chat, non-stream) | through gateway (req/s) | vs both off (median) | 95 % interval of the median | quartiles of the rounds | p50 (ms) | p99 (ms) | errors |",
    "|---|---:|---:|---:|---:|---:|---:|---:|",
    ...governance.map(
      (r) =>
        `| ${r.scenario} | ${fmt(r.rps)} | ${fmt(r.vsOff, 2)} | ${fmt(r.vsOffInterval[0], 2)}–${fmt(r.vsOffInterval[1], 2)} | ${fmt(r.vsOffQ1, 2)}–${fmt(r.vsOffQ3, 2)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.errors} |`,
    ),
  );
if (routing.length > 0)
  lines.push(
    "",
    "| paired rows (chat, non-stream): each second row against the row above it | through gateway (req/s) | vs the row above (median) | 95 % interval of the median | p50 (ms) | p99 (ms) | errors |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...routing.map(
      (r) =>
        `| ${r.scenario} | ${fmt(r.rps)} | ${r.vsFirst === 1 ? "—" : fmt(r.vsFirst, 2)} | ${r.vsFirst === 1 ? "—" : `${fmt(r.vsFirstInterval[0], 2)}–${fmt(r.vsFirstInterval[1], 2)}`} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.errors} |`,
    ),
  );
if (memory)
  lines.push(
    "",
    `| ${memory.streams} concurrent slow streams (${memory.chunkDelayMs} ms between events) | idle RSS before (MB) | peak RSS (MB) | idle RSS after (MB) | per stream (KB) | errors |`,
    "|---|---:|---:|---:|---:|---:|",
    ...memory.rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.before, 1)} | ${fmt(r.peak, 1)} | ${fmt(r.after, 1)} | ${fmt(r.perStreamKb, 1)} | ${r.errors} |`,
    ),
  );
if (openLoop)
  lines.push(
    "",
    `| open loop, chat non-stream, ${openLoop.rate} req/s for ${openLoop.durationMs / 1000} s (medians of ${openLoop.rounds} round${openLoop.rounds === 1 ? "" : "s"}) | achieved (req/s) | p50 (ms) | p99 (ms) | added p50 over direct (ms) | added p99 over direct (ms) | errors |`,
    "|---|---:|---:|---:|---:|---:|---:|",
    ...openLoop.rows.map(
      (r) =>
        `| ${r.name} | ${fmt(r.rate)} | ${fmt(r.p50, 2)} | ${fmt(r.p99, 2)} | ${r.addedP50 === undefined ? "—" : fmt(r.addedP50, 2)} | ${r.addedP99 === undefined ? "—" : fmt(r.addedP99, 2)} | ${r.errors} |`,
    ),
  );
if (cancel)
  lines.push(
    "",
    "| client disconnect → upstream aborted | median (ms) | max (ms) |",
    "|---|---:|---:|",
    `| streaming | ${fmt(cancel.stream.median, 2)} | ${fmt(cancel.stream.max, 2)} |`,
    `| non-streaming | ${fmt(cancel.nonStream.median, 2)} | ${fmt(cancel.nonStream.max, 2)} |`,
  );
if (sdkRows.length > 0) {
  lines.push(
    "",
    "| SSE parsing | chunks/s |",
    "|---|---:|",
    ...sdkRows.map((r) => `| ${r.name} | ${fmt(r.chunksPerSec)} |`),
  );
}
process.stdout.write(`${lines.join("\n")}\n`);
