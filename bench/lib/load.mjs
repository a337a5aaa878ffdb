// A closed-loop load generator: `concurrency` workers each send the next request as soon as the
// previous one is fully read, for `durationMs`. Latency is measured per request, body included.
import { Pool } from "undici";

export async function runLoad({
  url,
  path,
  headers,
  body,
  concurrency,
  durationMs,
  warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 3000),
}) {
  const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
  const payload = JSON.stringify(body);
  const send = async () => {
    const res = await pool.request({
      method: "POST",
      path,
      headers: { "content-type": "application/json", ...headers },
      body: payload,
    });
    const text = await res.body.text();
    if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.slice(0, 200)}`);
    return text;
  };
  await send(); // fail fast on a misconfigured scenario
  const loop = async (until, latencies) => {
    let errors = 0;
    while (performance.now() < until) {
      const t0 = performance.now();
      try {
        await send();
        latencies?.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
    return errors;
  };
  const warmUntil = performance.now() + warmupMs;
  await Promise.all(Array.from({ length: concurrency }, () => loop(warmUntil)));
  const latencies = [];
  const start = performance.now();
  const until = start + durationMs;
  const errors = (
    await Promise.all(Array.from({ length: concurrency }, () => loop(until, latencies)))
  ).reduce((a, b) => a + b, 0);
  const elapsed = (performance.now() - start) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return { rps: latencies.length / elapsed, p50: pct(50), p99: pct(99), requests: latencies.length, errors };
}
