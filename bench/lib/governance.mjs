// Governance cost: the same non-streaming chat load through a gateway whose key has no limits ("off")
// and through keys with every limit set (rpm, rpd, tpm, max_concurrent, spend cap; none ever reached),
// counted in process (embedded) or in Redis (shared mode). Usage accounting is always on: the
// baseline records its usage events too. Rounds alternate so that drift hits every row alike.
import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { runLoad } from "./load.mjs";
import { GATEWAY_CLI, startGatewayProcess } from "./processes.mjs";

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
  durationMs,
  rounds = 2,
  log = () => {},
}) {
  const redisUrl =
    process.env.BENCH_REDIS_URL ?? process.env.MESHAPI_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";
  const body = {
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "What is the capital of France?" }],
  };
  const embedded = await startGatewayProcess(dir, simUrl);
  const targets = [
    { name: "limits off (key without limits, embedded)", url: embedded.url, key: embedded.key },
    {
      name: "limits + spend cap on, embedded (in-process)",
      url: embedded.url,
      key: await createKey(embedded.dataDir, LIMITS),
    },
  ];
  let shared;
  const prefix = `meshapi-bench:${process.pid}:`;
  if (await redisReachable(redisUrl)) {
    const env = { MESHAPI_REDIS_URL: redisUrl, MESHAPI_REDIS_PREFIX: prefix };
    shared = await startGatewayProcess(dir, simUrl, env);
    targets.push({
      name: "limits + spend cap on, Redis (shared mode)",
      url: shared.url,
      key: await createKey(shared.dataDir, LIMITS, env),
    });
  } else {
    log(`governance: Redis not reachable at ${redisUrl}; skipping the Redis row\n`);
  }
  const results = new Map(targets.map((t) => [t.name, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        const r = await runLoad({
          url: t.url,
          path: "/v1/chat/completions",
          headers: { authorization: `Bearer ${t.key}` },
          body,
          concurrency,
          durationMs,
        });
        results.get(t.name).push(r);
        log(`governance, ${t.name}, round ${round + 1}: ${r.rps.toFixed(0)} rps\n`);
      }
    }
  } finally {
    await embedded.stop();
    if (shared) {
      await shared.stop();
      await dropPrefix(redisUrl, prefix).catch(() => {});
    }
  }
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const rows = targets.map((t) => {
    const rs = results.get(t.name);
    return {
      scenario: t.name,
      rps: mean(rs.map((r) => r.rps)),
      p50: mean(rs.map((r) => r.p50)),
      p99: mean(rs.map((r) => r.p99)),
      errors: rs.reduce((a, r) => a + r.errors, 0),
    };
  });
  const off = rows[0]?.rps;
  for (const row of rows) row.vsOff = off ? row.rps / off : undefined;
  return rows;
}
