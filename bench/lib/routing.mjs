// Routing cost: the same non-streaming chat load to one public name served by two weighted deployments
// (3:1, both healthy) against a plain `provider/model` (one implicit deployment), on one gateway process,
// so the only difference is the router's work: the weighted draw, the health check of each choice, the
// in-flight and latency bookkeeping. Both deployments point at the same simulator (two credentials of
// one vendor): more upstream capacity would flatter the two-deployment row.
//
// Alternating slices (BENCH_ROUTING_SLICE_MS, default 1500, each after BENCH_GOV_WARMUP_MS of warm-up)
// in BENCH_ROUTING_ROUNDS rounds (default 16); see paired.mjs.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runPaired } from "./paired.mjs";
import { startGatewayProcess } from "./processes.mjs";

const ask = (model) => ({ model, messages: [{ role: "user", content: "What is the capital of France?" }] });

export async function runRoutingBench({ dir, simUrl, concurrency, log }) {
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
  try {
    return await runPaired({
      targets: [
        {
          name: "one deployment (openai/gpt-4o-mini)",
          url: gw.url,
          key: gw.key,
          body: ask("openai/gpt-4o-mini"),
        },
        { name: "two weighted deployments (mesh/two, 3:1)", url: gw.url, key: gw.key, body: ask("mesh/two") },
      ],
      concurrency,
      durationMs: Number(process.env.BENCH_ROUTING_SLICE_MS ?? 1500),
      warmupMs: Number(process.env.BENCH_GOV_WARMUP_MS ?? 1000),
      rounds: Number(process.env.BENCH_ROUTING_ROUNDS ?? 16),
      label: "routing",
      log,
    });
  } finally {
    await gw.stop();
  }
}

// Metrics cost: the same load through two gateway processes, one with the Prometheus metrics off
// (MESHAPI_METRICS=false) and one with the default (on); usage accounting off on both.
export async function runMetricsBench({ dir, simUrl, concurrency, log }) {
  const off = await startGatewayProcess(dir, simUrl, {
    MESHAPI_METRICS: "false",
    MESHAPI_RECORD_USAGE: "false",
  });
  const on = await startGatewayProcess(dir, simUrl, { MESHAPI_RECORD_USAGE: "false" });
  try {
    return await runPaired({
      targets: [
        {
          name: "metrics off (MESHAPI_METRICS=false)",
          url: off.url,
          key: off.key,
          body: ask("openai/gpt-4o-mini"),
        },
        { name: "metrics on (the default)", url: on.url, key: on.key, body: ask("openai/gpt-4o-mini") },
      ],
      concurrency,
      durationMs: Number(process.env.BENCH_ROUTING_SLICE_MS ?? 1500),
      warmupMs: Number(process.env.BENCH_GOV_WARMUP_MS ?? 1000),
      rounds: Number(process.env.BENCH_ROUTING_ROUNDS ?? 16),
      label: "metrics",
      log,
    });
  } finally {
    await off.stop();
    await on.stop();
  }
}
