// An open-loop load generator: requests leave on a fixed schedule (`rate` per second), not when the
// previous answer returns, so a slow server cannot slow the load down and hide its own queueing. Each
// request's latency runs from its *scheduled* send time to the end of its response (coordinated-
// omission correct: a request the client could only send late, because the loop was busy, is charged
// the wait too). Requests go on keep-alive connections from a pool that grows whenever every open
// connection is busy, as many concurrent users would.
import { encodeRequest, RawConnection } from "./raw-http.mjs";

const MAX_CONNECTIONS = 2000;

/** Sends `rate` requests a second for `durationMs`; resolves with latencies from the schedule. */
export async function runOpenLoop({ url, path, headers, body, rate, durationMs }) {
  const request = encodeRequest({
    host: new URL(url).host,
    path,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });
  const idle = [];
  let opened = 0;
  const connection = () => {
    const c = idle.pop();
    if (c) return c;
    if (opened >= MAX_CONNECTIONS) return undefined;
    opened++;
    return new RawConnection(url, request);
  };
  const all = new Set();
  const latencies = [];
  let errors = 0;
  let dropped = 0;
  const interval = 1000 / rate;
  const total = Math.round((rate * durationMs) / 1000);
  const start = performance.now();
  const inFlight = [];
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      // Everything whose time has come goes now (a late timer sends a small burst, charged from schedule).
      while (sent < total && start + sent * interval <= now) {
        const scheduled = start + sent * interval;
        sent++;
        const c = connection();
        if (!c) {
          dropped++;
          continue;
        }
        all.add(c);
        inFlight.push(
          c.send().then(
            (res) => {
              if (res.status === 200) latencies.push(performance.now() - scheduled);
              else errors++;
              idle.push(c);
            },
            () => {
              errors++;
              c.close();
            },
          ),
        );
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
      else resolve();
    };
    tick();
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - start) / 1000;
  for (const c of all) c.close();
  latencies.sort((a, b) => a - b);
  const pct = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return {
    rate: latencies.length / elapsed,
    p50: pct(50),
    p99: pct(99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    requests: latencies.length,
    connections: opened,
    errors: errors + dropped,
  };
}
