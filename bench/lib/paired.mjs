// Two targets measured against each other in short alternating slices (AB, BA, AB, …), the way the
// governance rows are: on a shared 2-core box the speed drifts within seconds, so each round's pair is
// compared a few seconds apart and the row reports the median of the rounds' ratios with its 95 %
// bootstrap interval. A target is { name, url, key, body }; the second is reported against the first.
import { runLoad } from "./load.mjs";
import { median, medianInterval } from "./stats.mjs";

export async function runPaired({
  targets,
  concurrency,
  durationMs,
  warmupMs,
  rounds,
  label,
  log = () => {},
}) {
  const slice = (t, ms, warm) =>
    runLoad({
      url: t.url,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${t.key}` },
      body: t.body,
      concurrency,
      durationMs: ms,
      warmupMs: warm,
    });
  const results = targets.map(() => []);
  for (const t of targets) await slice(t, 3000, 0);
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? [0, 1] : [1, 0];
    for (const i of order) {
      const r = await slice(targets[i], durationMs, warmupMs);
      results[i].push(r);
      log(`${label}, ${targets[i].name}, round ${round + 1}: ${r.rps.toFixed(0)} rps\n`);
    }
  }
  const ratios = results[1].map((r, i) => r.rps / results[0][i].rps).sort((a, b) => a - b);
  return targets.map((t, i) => ({
    scenario: t.name,
    rps: median(results[i].map((r) => r.rps)),
    p50: median(results[i].map((r) => r.p50)),
    p99: median(results[i].map((r) => r.p99)),
    errors: results[i].reduce((n, r) => n + r.errors, 0),
    vsFirst: i === 0 ? 1 : median(ratios),
    vsFirstInterval: i === 0 ? [1, 1] : medianInterval(ratios),
  }));
}
