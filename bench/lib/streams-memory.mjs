// The `streams-memory` row: N concurrent slow streams (default 1,000, each held open ~10 s by the
// simulator's chunk_delay_ms) through a fresh gateway process and a fresh bare proxy, and what that
// costs each in resident memory: idle RSS before, peak RSS (the kernel's high-water mark, VmHWM),
// idle RSS after, and (peak - idle before) / N per stream. Memory is read from /proc/<pid>/status.
// Knobs: BENCH_STREAMS (1000), BENCH_STREAM_CHUNK_DELAY_MS (500; 20 words ≈ 22 events ≈ 11 s),
// BENCH_STREAMS_SETTLE_MS (3000: the wait before each idle reading).
import { readProcMemory, sampleRss } from "./proc-memory.mjs";
import { startBareProxyProcess, startGatewayProcess } from "./processes.mjs";
import { encodeRequest, RawConnection } from "./raw-http.mjs";

const streams = Number(process.env.BENCH_STREAMS ?? 1000);
const chunkDelayMs = Number(process.env.BENCH_STREAM_CHUNK_DELAY_MS ?? 500);
const settleMs = Number(process.env.BENCH_STREAMS_SETTLE_MS ?? 3000);
// Connections open in batches so the listen backlog (511) never overflows into SYN retries.
const BATCH = 100;
const BATCH_GAP_MS = 20;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Holds `streams` streaming requests open at once against `url`; resolves when all have ended. */
async function holdStreams({ url, headers, model }) {
  const body = JSON.stringify({
    model,
    stream: true,
    messages: [{ role: "user", content: `[[sim:words=20,chunk_delay_ms=${chunkDelayMs}]]` }],
  });
  const request = encodeRequest({
    host: new URL(url).host,
    path: "/v1/chat/completions",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
  const connections = [];
  const results = [];
  for (let i = 0; i < streams; i++) {
    const c = new RawConnection(url, request);
    connections.push(c);
    results.push(
      c.send().then(
        (r) => (r.status === 200 ? 0 : 1),
        () => 1,
      ),
    );
    if ((i + 1) % BATCH === 0) await sleep(BATCH_GAP_MS);
  }
  const errors = (await Promise.all(results)).reduce((a, b) => a + b, 0);
  for (const c of connections) c.close();
  return errors;
}

/** One process's figures for the load: idle before, peak, idle after, per stream, errors. */
async function measure(target) {
  await sleep(settleMs);
  const before = readProcMemory(target.child.pid).rss;
  const sampler = sampleRss(target.child.pid);
  const started = performance.now();
  const errors = await holdStreams(target);
  const seconds = (performance.now() - started) / 1000;
  const { peak: sampled, hwm } = sampler.stop();
  await sleep(settleMs);
  const after = readProcMemory(target.child.pid).rss;
  const peak = Math.max(sampled, hwm);
  return { before, peak, after, perStreamKb: ((peak - before) * 1024) / streams, errors, seconds };
}

/** The row's two lines, gateway and bare proxy, each on a process started for it alone. */
export async function runStreamsMemoryBench({ dir, simUrl, log }) {
  const rows = [];
  const gw = await startGatewayProcess(dir, simUrl);
  try {
    const r = await measure({
      child: gw.child,
      url: gw.url,
      headers: { authorization: `Bearer ${gw.key}` },
      model: "openai/gpt-4o-mini",
    });
    rows.push({ name: "gateway", ...r });
    log(`streams-memory, gateway: ${JSON.stringify(r)}\n`);
  } finally {
    await gw.stop();
  }
  const bare = await startBareProxyProcess(dir, simUrl);
  try {
    const r = await measure({ child: bare.child, url: bare.url, headers: {}, model: "openai/gpt-4o-mini" });
    rows.push({ name: "bare proxy", ...r });
    log(`streams-memory, bare proxy: ${JSON.stringify(r)}\n`);
  } finally {
    await bare.stop();
  }
  return { streams, chunkDelayMs, rows };
}
