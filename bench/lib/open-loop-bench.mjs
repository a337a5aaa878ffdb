// The `open-loop` rows: a fixed rate of non-streaming chats (default 1,000 req/s for 10 s) directly
// against the simulator, through the bare proxy and through the gateway, interleaved in the same
// rounds; p50/p99 from each request's scheduled send time (lib/open-loop.mjs), and what the gateway
// and the bare proxy add over direct, round by round. Knobs: BENCH_OPEN_LOOP_RATE (1000),
// BENCH_OPEN_LOOP_MS (10000), BENCH_OPEN_LOOP_ROUNDS (3), BENCH_OPEN_LOOP_WARMUP_MS (2000).
import { runOpenLoop } from "./open-loop.mjs";
import { startBareProxyProcess, startGatewayProcess } from "./processes.mjs";
import { median } from "./stats.mjs";

const rate = Number(process.env.BENCH_OPEN_LOOP_RATE ?? 1000);
const durationMs = Number(process.env.BENCH_OPEN_LOOP_MS ?? 10_000);
const rounds = Number(process.env.BENCH_OPEN_LOOP_ROUNDS ?? 3);
const warmupMs = Number(process.env.BENCH_OPEN_LOOP_WARMUP_MS ?? 2000);

const question = [{ role: "user", content: "What is the capital of France?" }];

export async function runOpenLoopBench({ dir, simUrl, log }) {
  const gw = await startGatewayProcess(dir, simUrl);
  const bare = await startBareProxyProcess(dir, simUrl);
  try {
    const targets = [
      {
        name: "direct to simulator",
        url: simUrl,
        headers: { authorization: "Bearer sim-openai-key" },
        body: { model: "gpt-4o-mini", messages: question },
      },
      {
        name: "bare proxy",
        url: bare.url,
        headers: {},
        body: { model: "openai/gpt-4o-mini", messages: question },
      },
      {
        name: "gateway",
        url: gw.url,
        headers: { authorization: `Bearer ${gw.key}` },
        body: { model: "openai/gpt-4o-mini", messages: question },
      },
    ];
    const load = (t, ms) =>
      runOpenLoop({
        url: t.url,
        path: "/v1/chat/completions",
        headers: t.headers,
        body: t.body,
        rate,
        durationMs: ms,
      });
    for (const t of targets) await load(t, warmupMs);
    const results = targets.map(() => []);
    for (let round = 0; round < rounds; round++) {
      for (const [i, t] of targets.entries()) {
        const r = await load(t, durationMs);
        results[i].push(r);
        log(
          `open-loop ${rate}/s, ${t.name}, round ${round + 1}: p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms, ${r.connections} connections, ${r.errors} errors\n`,
        );
      }
    }
    const direct = results[0];
    return {
      rate,
      durationMs,
      rounds,
      rows: targets.map((t, i) => ({
        name: t.name,
        rate: median(results[i].map((r) => r.rate)),
        p50: median(results[i].map((r) => r.p50)),
        p99: median(results[i].map((r) => r.p99)),
        addedP50: i === 0 ? undefined : median(results[i].map((r, k) => r.p50 - direct[k].p50)),
        addedP99: i === 0 ? undefined : median(results[i].map((r, k) => r.p99 - direct[k].p99)),
        errors: results[i].reduce((n, r) => n + r.errors, 0),
      })),
    };
  } finally {
    await gw.stop();
    await bare.stop();
  }
}
