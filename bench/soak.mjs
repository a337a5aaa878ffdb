#!/usr/bin/env node
// The soak: mixed traffic at a steady open-loop rate against the real CLI gateway and a simulator
// process, for SOAK_MINUTES (default 30). Samples the gateway's RSS (/proc) and event-loop delay
// (/metrics) every few seconds, and reports the memory slope after warm-up (least squares, MB/min),
// p50/p99 per bucket and the error counts. Exits 1 when the slope is over the threshold, when a 5xx
// appears that was not injected, or when the gateway dies. The human report goes to stderr, one JSON
// summary line to stdout.
//
//   npm run soak                                  # 30 minutes, 40 requests/s
//   SOAK_MINUTES=5 SOAK_RPS=100 npm run soak
//   SOAK_SECONDS=45 node bench/soak.mjs           # the short form CI runs
import { readFileSync } from "node:fs";
import { startGatewayProcess, startSimulatorProcess, tempDir } from "./lib/processes.mjs";
import { leastSquaresSlope, percentile, traffic } from "./lib/soak-traffic.mjs";

const num = (name, fallback) => {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return n;
};

const durationS = num("SOAK_SECONDS", num("SOAK_MINUTES", 30) * 60);
const settings = {
  durationS,
  rps: num("SOAK_RPS", 40),
  // Memory settles after caches, pools and JIT warm up; the slope ignores this first part.
  warmupS: num("SOAK_WARMUP_SECONDS", Math.min(120, Math.round(durationS * 0.25))),
  sampleMs: num("SOAK_SAMPLE_MS", durationS < 300 ? 1_000 : 5_000),
  bucketS: num("SOAK_BUCKET_SECONDS", durationS < 300 ? 15 : 60),
  maxSlopeMbPerMin: num("SOAK_MAX_SLOPE_MB_PER_MIN", 1),
  maxInflight: num("SOAK_MAX_INFLIGHT", 500),
};

const log = (line) => process.stderr.write(`${line}\n`);

function rssMb(pid) {
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
  return kb === undefined ? Number.NaN : Number(kb) / 1024;
}

/** prom-client's event-loop p99 since the previous scrape (it resets its histogram on each one). */
async function eventLoopP99Ms(url) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const m = /^meshapi_nodejs_eventloop_lag_p99_seconds\s+(\S+)/m.exec(text);
    return m ? Number(m[1]) * 1000 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function main() {
  const tmp = tempDir();
  const sim = await startSimulatorProcess(tmp.dir);
  const gw = await startGatewayProcess(tmp.dir, sim.url, { MESHAPI_LOG_LEVEL: "warn" });
  const pid = gw.child.pid;
  let gatewayExit = null;
  gw.child.once("exit", (code, signal) => {
    gatewayExit = { code, signal };
  });
  log(`soak: ${settings.durationS} s at ${settings.rps} req/s against ${gw.url} (pid ${pid})`);

  const t0 = performance.now();
  const elapsedS = () => (performance.now() - t0) / 1000;
  const samples = [];
  const sample = async () => {
    if (gatewayExit) return;
    samples.push({ t: elapsedS(), rssMb: rssMb(pid), loopP99Ms: await eventLoopP99Ms(gw.url) });
  };
  await sample();
  const sampler = setInterval(sample, settings.sampleMs);

  const run = traffic({ url: gw.url, key: gw.key, maxInflight: settings.maxInflight, elapsedS });
  const interval = 1000 / settings.rps;
  // Open loop: requests leave on schedule whatever the gateway's pace, so a slowdown shows as latency
  // and queueing instead of being absorbed by a closed loop that simply sends less.
  let sent = 0;
  await new Promise((resolve) => {
    const tick = () => {
      const due = Math.floor((performance.now() - t0) / interval);
      while (sent < due && !gatewayExit) {
        run.send(sent);
        sent++;
      }
      if (elapsedS() >= settings.durationS || gatewayExit) return resolve();
      setTimeout(tick, Math.max(1, Math.min(50, interval)));
    };
    tick();
  });
  log(`soak: traffic done at ${elapsedS().toFixed(1)} s; draining`);
  await run.drain(30_000);
  clearInterval(sampler);
  await sample();
  log(`soak: drained at ${elapsedS().toFixed(1)} s; stopping`);

  const summary = summarize(samples, run.results(), sent, gatewayExit);
  await gw.stop();
  log(`soak: gateway stopped at ${elapsedS().toFixed(1)} s`);
  await sim.stop();
  log(`soak: simulator stopped at ${elapsedS().toFixed(1)} s`);
  tmp.remove();
  report(summary);
  // Exit once the summary is out: the HTTP client's idle keep-alive sockets would hold the process.
  process.stdout.write(`${JSON.stringify(summary)}\n`, () => process.exit(summary.pass ? 0 : 1));
}

function summarize(samples, results, sent, gatewayExit) {
  const settled = samples.filter((s) => s.t >= settings.warmupS && Number.isFinite(s.rssMb));
  const slope = settled.length >= 3 ? leastSquaresSlope(settled.map((s) => [s.t / 60, s.rssMb])) : Number.NaN;
  const buckets = new Map();
  for (const r of results.completed) {
    if (r.latencyMs === undefined) continue;
    const b = Math.floor(r.finishedS / settings.bucketS);
    if (!buckets.has(b)) buckets.set(b, []);
    buckets.get(b).push(r.latencyMs);
  }
  const perBucket = [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([b, xs]) => {
      xs.sort((x, y) => x - y);
      const inBucket = samples.filter((s) => Math.floor(s.t / settings.bucketS) === b);
      return {
        fromS: b * settings.bucketS,
        requests: xs.length,
        p50Ms: round(percentile(xs, 50)),
        p99Ms: round(percentile(xs, 99)),
        rssMb: maxOf(inBucket.map((s) => s.rssMb)),
        loopP99Ms: maxOf(inBucket.map((s) => s.loopP99Ms)),
      };
    });
  const rss = samples.map((s) => s.rssMb).filter(Number.isFinite);
  const failures = [];
  if (gatewayExit) failures.push(`the gateway exited (${JSON.stringify(gatewayExit)})`);
  if (results.unexpected5xx > 0) failures.push(`${results.unexpected5xx} 5xx that were not injected`);
  if (!(slope <= settings.maxSlopeMbPerMin))
    failures.push(`memory slope ${round(slope)} MB/min over ${settings.maxSlopeMbPerMin} MB/min`);
  return {
    pass: failures.length === 0,
    failures,
    settings,
    sent,
    completed: results.completed.length,
    byKind: results.byKind,
    statuses: results.statuses,
    unexpected5xx: results.unexpected5xx,
    unexpected: results.unexpected,
    networkErrors: results.networkErrors,
    skippedAtCap: results.skippedAtCap,
    memory: {
      startMb: round(rss[0]),
      warmMb: round(settled[0]?.rssMb),
      endMb: round(rss.at(-1)),
      maxMb: round(Math.max(...rss)),
      slopeMbPerMin: round(slope),
      samples: samples.length,
    },
    eventLoopP99MaxMs: round(Math.max(0, ...samples.map((s) => s.loopP99Ms).filter(Number.isFinite))),
    perBucket,
  };
}

function report(s) {
  log(
    `sent ${s.sent}, completed ${s.completed}, network errors ${s.networkErrors}, skipped at cap ${s.skippedAtCap}`,
  );
  log(`by kind: ${JSON.stringify(s.byKind)}`);
  log(`statuses: ${JSON.stringify(s.statuses)}; unexpected 5xx: ${s.unexpected5xx}`);
  log(
    `memory: start ${s.memory.startMb} MB, after warm-up ${s.memory.warmMb} MB, end ${s.memory.endMb} MB, ` +
      `slope ${s.memory.slopeMbPerMin} MB/min (limit ${s.settings.maxSlopeMbPerMin})`,
  );
  log(`event-loop p99 (max of samples): ${s.eventLoopP99MaxMs} ms`);
  log("  from_s  requests   p50_ms   p99_ms   rss_mb  loop_p99_ms");
  for (const b of s.perBucket) {
    log(
      [b.fromS, b.requests, b.p50Ms, b.p99Ms, b.rssMb, b.loopP99Ms]
        .map((v) => String(v).padStart(8))
        .join(" "),
    );
  }
  log(s.pass ? "soak: PASS" : `soak: FAIL: ${s.failures.join("; ")}`);
}

function maxOf(xs) {
  const finite = xs.filter(Number.isFinite);
  return finite.length === 0 ? null : round(Math.max(...finite));
}

function round(x) {
  return Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}

main().catch((err) => {
  log(`soak: ${err.stack ?? err}`);
  process.exitCode = 2;
});
