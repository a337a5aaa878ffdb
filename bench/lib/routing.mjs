// Routing cost: the same non-streaming chat load to one public name served by two weighted deployments
// (3:1, both healthy) against a plain `provider/model` (one implicit deployment), on one gateway process,
// so the only difference is the router's work: the weighted draw, the health check of each choice, the
// in-flight and latency bookkeeping. Both deployments point at the same simulator (two credentials of
// one vendor): more upstream capacity would flatter the two-deployment row.
//
// Short alternating slices (BENCH_ROUTING_SLICE_MS, default 1500, each after BENCH_GOV_WARMUP_MS of
// warm-up) in BENCH_ROUTING_ROUNDS rounds (default 16), the order flipped every round (AB, BA), as the
// governance rows do for their targets; the ratio is the median of the rounds' own ratios with its 95 %
// bootstrap interval.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runLoad } from "./load.mjs";
import { startGatewayProcess } from "./processes.mjs";
import { median, medianInterval } from "./stats.mjs";

export async function runRoutingBench({
  dir,
  simUrl,
  concurrency,
  durationMs = Number(process.env.BENCH_ROUTING_SLICE_MS ?? 1500),
  warmupMs = Number(process.env.BENCH_GOV_WARMUP_MS ?? 1000),
  rounds = Number(process.env.BENCH_ROUTING_ROUNDS ?? 16),
  log = () => {},
}) {
  const configPath = join(dir, "routing.json");
  writeFileSync(
    configPath,
    JSON.stringify({
      routing: {
        models: {
          "mesh/two": {
            strategy: "weighted",
            deployments: [
              { id: "first", model: "openai/gpt-4o-mini", weight: 3 },
              { id: "second", model: "openai/gpt-4o-mini", apiKeyEnv: "SECOND_OPENAI_KEY", weight: 1 },
            ],
          },
        },
      },
    }),
  );
  const gw = await startGatewayProcess(dir, simUrl, {
    MESHAPI_CONFIG: configPath,
    SECOND_OPENAI_KEY: "sim-openai-key-2",
    MESHAPI_RECORD_USAGE: "false",
  });
  const targets = [
    { name: "one deployment (openai/gpt-4o-mini)", model: "openai/gpt-4o-mini", results: [] },
    { name: "two weighted deployments (mesh/two, 3:1)", model: "mesh/two", results: [] },
  ];
  const slice = (t, ms, warm) =>
    runLoad({
      url: gw.url,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${gw.key}` },
      body: { model: t.model, messages: [{ role: "user", content: "What is the capital of France?" }] },
      concurrency,
      durationMs: ms,
      warmupMs: warm,
    });
  try {
    for (const t of targets) await slice(t, 3000, 0);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const t of order) {
        const r = await slice(t, durationMs, warmupMs);
        t.results.push(r);
        log(`routing, ${t.name}, round ${round + 1}: ${r.rps.toFixed(0)} rps\n`);
      }
    }
  } finally {
    await gw.stop();
  }
  const [one, two] = targets;
  const ratios = two.results.map((r, i) => r.rps / one.results[i].rps).sort((a, b) => a - b);
  return targets.map((t) => ({
    scenario: t.name,
    rps: median(t.results.map((r) => r.rps)),
    p50: median(t.results.map((r) => r.p50)),
    p99: median(t.results.map((r) => r.p99)),
    errors: t.results.reduce((n, r) => n + r.errors, 0),
    vsOne: t === one ? 1 : median(ratios),
    vsOneInterval: t === one ? [1, 1] : medianInterval(ratios),
  }));
}
