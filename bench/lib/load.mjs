// A closed-loop load generator: `concurrency` workers, each on its own keep-alive connection, send the
// next request as soon as the previous response is fully read, for `durationMs`. Latency is measured per
// request, body included. The client is raw-http.mjs (its cost does not grow with the response's
// headers); BENCH_LOAD_CLIENT=undici uses an undici Pool instead, as the bench did until 2026-11-30.
import { Pool } from "undici";
import { encodeRequest, RawConnection } from "./raw-http.mjs";

export const LOAD_CLIENT = process.env.BENCH_LOAD_CLIENT === "undici" ? "undici" : "raw";

/** `concurrency` senders; each `send()` resolves with `{ status, body }` once the response is read. */
function openSenders({ url, path, headers, body, concurrency }) {
  const allHeaders = { "content-type": "application/json", ...headers };
  const payload = JSON.stringify(body);
  if (LOAD_CLIENT === "undici") {
    const pool = new Pool(url, { connections: concurrency, pipelining: 1 });
    const send = async () => {
      const res = await pool.request({ method: "POST", path, headers: allHeaders, body: payload });
      const text = await res.body.text();
      return { status: res.statusCode, body: text };
    };
    return { senders: Array.from({ length: concurrency }, () => send), close: () => pool.close() };
  }
  const request = encodeRequest({ host: new URL(url).host, path, headers: allHeaders, body: payload });
  const connections = Array.from({ length: concurrency }, () => new RawConnection(url, request));
  return {
    senders: connections.map((c) => () => c.send()),
    close: async () => {
      for (const c of connections) c.close();
    },
  };
}

export async function runLoad({
  url,
  path,
  headers,
  body,
  concurrency,
  durationMs,
  warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 3000),
}) {
  const { senders, close } = openSenders({ url, path, headers, body, concurrency });
  const check = async (send) => {
    const res = await send();
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${String(res.body).slice(0, 200)}`);
  };
  try {
    await check(senders[0]); // fail fast on a misconfigured scenario
    const loop = async (send, until, latencies) => {
      let errors = 0;
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          await check(send);
          latencies?.push(performance.now() - t0);
        } catch {
          errors++;
        }
      }
      return errors;
    };
    const warmUntil = performance.now() + warmupMs;
    await Promise.all(senders.map((send) => loop(send, warmUntil)));
    const latencies = [];
    const start = performance.now();
    const until = start + durationMs;
    const errors = (await Promise.all(senders.map((send) => loop(send, until, latencies)))).reduce(
      (a, b) => a + b,
      0,
    );
    const elapsed = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    const pct = (p) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
    return {
      rps: latencies.length / elapsed,
      p50: pct(50),
      p99: pct(99),
      requests: latencies.length,
      errors,
    };
  } finally {
    await close();
  }
}
