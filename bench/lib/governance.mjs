// Governance cost: the same non-streaming chat load through a gateway with neither limits nor usage
// accounting (the baseline, "both off"), with accounting only (usage events written, key without
// limits), and with both: a key with every limit set (rpm, rpd, tpm, max_concurrent, spend cap; none
// ever reached) counted in process (embedded) or in Redis (shared mode).
//
// Every target is its own gateway process, started the same way. (Until 2026-11-30 the embedded-limits
// key shared the accounting-only gateway, and so ran right after that target's slice on a process
// already warm from it, which flattered it by a few hundredths against a Redis target that had been
// idle for three slices.)
//
// This box's speed drifts by up to 2x within tens of seconds, far more than the costs measured here, so
// the rows are measured as short slices (BENCH_GOV_SLICE_MS, default 1.5 s, each after its own warm-up
// of BENCH_GOV_WARMUP_MS, default 1 s) in many rounds (BENCH_GOV_ROUNDS, default 30); every round runs
// each target once, and a row's ratio is the median over rounds of its slice divided by both-off in the
// same round, a few seconds apart.
//
// Both-off runs twice per round, on two identical gateways: the baseline and the control. The other
// rows are against the mean of the two slices; the control row is against the baseline alone, so its
// distance from 1.00 shows what a single comparison strays by, and how far to trust the other rows.
//
// A process keeps its luck: two identical gateways measured 1.08 of each other over a whole 30-round
// run (and 0.98 to 1.05 in runs of 12), wherever that comes from (JIT decisions made early, memory
// layout). So every BENCH_GOV_RESTART_ROUNDS rounds (default 10; 0: never) each target gets a new
// process on the same data dir and key, warmed for 3 s like the first: a process's luck then weighs on
// a third of the rounds, and the median sees it as noise rather than as a cost.
//
// The rounds' orders form a Williams square: every target follows every other equally often. A slice
// measures a few hundredths lower right after some targets than after others, and with the orders
// merely rotated each target always had the same predecessor: the Redis row, last in the list, came
// out at 0.85 against 0.90 for embedded limits, and at 0.92 against 0.90 with the two swapped.
import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { runLoad } from "./load.mjs";
import { GATEWAY_CLI, startGatewayProcess } from "./processes.mjs";
import { median, medianInterval } from "./stats.mjs";

const BASELINE = "limits off, accounting off (embedded)";
const CONTROL = "control: the same as the row above, on a second gateway (the noise floor)";

const LIMITS = [
  "--rpm",
  "100000000",
  "--rpd",
  "1000000000",
  "--tpm",
  "1000000000",
  "--max-concurrent",
  "100000",
  "--spend-cap-usd",
  "1000000",
];

function createKey(dataDir, args, env = {}) {
  return new Promise((resolve, reject) => {
    const c = spawn(
      process.execPath,
      [GATEWAY_CLI, "keys", "create", "--name", "bench-limited", "--json", "--data-dir", dataDir, ...args],
      { env: { ...process.env, ...env } },
    );
    let out = "";
    c.stdout.on("data", (d) => {
      out += d;
    });
    c.on("exit", (code) =>
      code === 0 ? resolve(JSON.parse(out).key) : reject(new Error(`keys create exited ${code}`)),
    );
  });
}

async function redisReachable(url) {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

async function dropPrefix(url, prefix) {
  const redis = new Redis(url);
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== "0");
  redis.disconnect();
}

export async function runGovernanceBench({
  dir,
  simUrl,
  concurrency,
  durationMs = Number(process.env.BENCH_GOV_SLICE_MS ?? 1500),
  warmupMs = Number(process.env.BENCH_GOV_WARMUP_MS ?? 1000),
  rounds = Number(process.env.BENCH_GOV_ROUNDS ?? 30),
  restartEvery = Number(process.env.BENCH_GOV_RESTART_ROUNDS ?? 10),
  log = () => {},
}) {
  const redisUrl =
    process.env.BENCH_REDIS_URL ?? process.env.MESHAPI_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const body = {
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "What is the capital of France?" }],
  };
  const targets = [];
  const results = new Map();
  const prefix = `meshapi-bench:${process.pid}:`;
  let shared = false;
  const slice = (t, ms, warmupMs) =>
    runLoad({
      url: t.proc.url,
      path: "/v1/chat/completions",
      headers: { authorization: `Bearer ${t.key}` },
      body,
      concurrency,
      durationMs: ms,
      warmupMs,
    });
  try {
    const add = async (name, env, keyArgs) => {
      const proc = await startGatewayProcess(dir, simUrl, env);
      const target = { name, proc, key: proc.key };
      targets.push(target);
      results.set(name, []);
      if (keyArgs) target.key = await createKey(proc.dataDir, keyArgs, env);
    };
    const off = { MESHAPI_RECORD_USAGE: "false" };
    await add(BASELINE, off);
    await add(CONTROL, off);
    await add("limits off, accounting on (embedded)", {});
    await add("limits + spend cap on, accounting on, embedded (in-process)", {}, LIMITS);
    if (await redisReachable(redisUrl)) {
      shared = true;
      const env = { MESHAPI_REDIS_URL: redisUrl, MESHAPI_REDIS_PREFIX: prefix };
      await add("limits + spend cap on, accounting on, Redis (shared mode)", env, LIMITS);
    } else {
      log(`governance: Redis not reachable at ${redisUrl}; skipping the Redis row\n`);
    }
    const orders = williamsSquare(targets.length);
    // 0 (or not a number): one generation for the whole run.
    const generation = restartEvery > 0 ? restartEvery : Number.POSITIVE_INFINITY;
    for (let round = 0; round < rounds; round++) {
      if (round % generation === 0) {
        // A new generation of processes (same data dirs, same keys), each warmed up again.
        if (round > 0) {
          for (const t of targets) {
            await t.proc.stop();
            t.proc = { ...t.proc, ...(await t.proc.relaunch()) };
          }
        }
        for (const t of targets) await slice(t, 3000, 0);
      }
      for (let i = 0; i < targets.length; i++) {
        const t = targets[orders[round % orders.length][i]];
        const r = await slice(t, durationMs, warmupMs);
        results.get(t.name).push(r);
        log(`governance, ${t.name}, round ${round + 1}: ${r.rps.toFixed(0)} rps\n`);
      }
    }
  } finally {
    for (const t of targets) await t.proc.stop();
    if (shared) await dropPrefix(redisUrl, prefix).catch(() => {});
  }
  // Medians: one round disturbed by another process must not move a row.
  const rows = targets.map((t) => {
    const rs = results.get(t.name);
    return {
      scenario: t.name,
      rps: median(rs.map((r) => r.rps)),
      p50: median(rs.map((r) => r.p50)),
      p99: median(rs.map((r) => r.p99)),
      errors: rs.reduce((a, r) => a + r.errors, 0),
    };
  });
  // Relative to both-off in the same round, a few seconds away: the mean of the baseline's and the
  // control's slices (two samples of the same thing: the baseline's share of the noise shrinks by √2),
  // except for the control row itself, which is against the baseline alone (what one comparison strays
  // by). The median of those ratios over rounds, its 95 % bootstrap interval (how far another run of as
  // many rounds could put it), and the ratios' quartiles (how far apart two rounds are).
  const base = results.get(BASELINE);
  const twin = results.get(CONTROL);
  for (const row of rows) {
    const rs = results.get(row.scenario);
    const off = (round) =>
      row.scenario === CONTROL ? base[round].rps : (base[round].rps + twin[round].rps) / 2;
    const ratios = rs.map((r, round) => r.rps / off(round)).sort((a, b) => a - b);
    row.vsOff = median(ratios);
    row.vsOffInterval = medianInterval(ratios);
    row.vsOffQ1 = ratios[Math.floor((ratios.length - 1) / 4)];
    row.vsOffQ3 = ratios[Math.ceil(((ratios.length - 1) * 3) / 4)];
  }
  return rows;
}

/**
 * Orders of 0…n-1 in which every element follows every other equally often: n rows for an even n, 2n
 * (each row and its reverse) for an odd one.
 */
export function williamsSquare(n) {
  const first = [0];
  for (let lo = 1, hi = n - 1; first.length < n; ) {
    first.push(lo++);
    if (first.length < n) first.push(hi--);
  }
  const rows = Array.from({ length: n }, (_, i) => first.map((x) => (x + i) % n));
  return n % 2 === 0 ? rows : [...rows, ...rows.map((r) => [...r].reverse())];
}
