// SSE parsing throughput, meshapi-node-sdk vs the official `openai` package: chunks per second
// through each client's public streaming API (`create({ stream: true })` + `for await`), on the
// same recorded gateway stream (fixtures/chat-stream.sse, re-record with record-fixture.mjs).
//
// Both clients get the identical input through a custom `fetch` that returns a fresh in-memory
// Response per call, so the network is out of the picture; three delivery shapes are measured:
//   - one event per read: each SSE event arrives as its own chunk, as on a live stream;
//   - 64 KiB reads: a buffered connection delivering many events per chunk;
//   - 7-byte reads: worst case, events and UTF-8 sequences split everywhere.
// Rounds alternate the two clients and the median round is reported, so a GC pause or CPU
// frequency change hits both alike.
//
// Usage: `npm run build` then `node bench/sdk/sse-parse.mjs` (prints a table), or import { run }.
import { readFile } from "node:fs/promises";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { MeshAPI } from "../../packages/sdk/dist/index.js";

const FIXTURE = new URL("./fixtures/chat-stream.sse", import.meta.url);
const ROUNDS = 7;
/** Rounds are sized to last about this long per client, whatever the delivery shape costs. */
const ROUND_MS = 150;
const WARMUP_MS = 400;

const PARAMS = {
  model: "openai/gpt-4o-mini",
  messages: [{ role: "user", content: "Tell me a story." }],
  stream: true,
};

/** Splits the recorded body into the chunks a reader would receive. */
function deliveries(bytes, text) {
  const perEvent = [];
  const encoder = new TextEncoder();
  for (const event of text.split(/(?<=\n\n)/)) perEvent.push(encoder.encode(event));
  const slices = (size) => {
    const out = [];
    for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
    return out;
  };
  return [
    { shape: "one event per read", chunks: perEvent },
    { shape: "64 KiB reads", chunks: slices(64 * 1024) },
    { shape: "7-byte reads", chunks: slices(7) },
  ];
}

/** A fetch that answers every call with a new streaming Response over `chunks`. */
function replayFetch(chunks) {
  return async () => {
    let i = 0;
    const body = new ReadableStream({
      pull(controller) {
        if (i < chunks.length) controller.enqueue(chunks[i++]);
        else controller.close();
      },
    });
    return new Response(body, {
      status: 200,
      headers: { "content-type": "text/event-stream", "x-request-id": "req_BENCH" },
    });
  };
}

function clients(fetch) {
  const mesh = new MeshAPI({ baseUrl: "http://bench.invalid", token: "rsk_bench", fetch, maxRetries: 0 });
  const openai = new OpenAI({ baseURL: "http://bench.invalid/v1", apiKey: "sk-bench", fetch, maxRetries: 0 });
  return [
    {
      name: "meshapi-node-sdk",
      async consume() {
        let count = 0;
        let text = "";
        for await (const chunk of mesh.chat.completions.create(PARAMS)) {
          count++;
          text += chunk.choices[0]?.delta.content ?? "";
        }
        return { count, text };
      },
    },
    {
      name: "openai",
      async consume() {
        let count = 0;
        let text = "";
        for await (const chunk of await openai.chat.completions.create(PARAMS)) {
          count++;
          text += chunk.choices[0]?.delta.content ?? "";
        }
        return { count, text };
      },
    },
  ];
}

async function timeRound(client, streams, expectedCount) {
  const start = performance.now();
  for (let i = 0; i < streams; i++) {
    const { count } = await client.consume();
    if (count !== expectedCount)
      throw new Error(`${client.name}: ${count} chunks, expected ${expectedCount}`);
  }
  const seconds = (performance.now() - start) / 1000;
  return (streams * expectedCount) / seconds;
}

/** Warms `client` up for WARMUP_MS; returns the mean time of one stream in ms. */
async function warmUp(client) {
  const start = performance.now();
  let streams = 0;
  while (performance.now() - start < WARMUP_MS || streams < 5) {
    await client.consume();
    streams++;
  }
  return (performance.now() - start) / streams;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** @returns {Promise<Array<{ name: string, chunksPerSec: number }>>} */
export async function run() {
  const bytes = new Uint8Array(await readFile(FIXTURE));
  const text = new TextDecoder().decode(bytes);
  const expectedCount = text
    .split("\n\n")
    .filter((e) => e.startsWith("data: ") && e !== "data: [DONE]").length;
  const rows = [];
  for (const { shape, chunks } of deliveries(bytes, text)) {
    const pair = clients(replayFetch(chunks));
    // Both must see the same stream before their speed means anything.
    const results = await Promise.all(pair.map((c) => c.consume()));
    if (results.some((r) => r.count !== expectedCount || r.text !== results[0].text)) {
      throw new Error(
        `clients disagree on the ${shape} stream: ${JSON.stringify(results.map((r) => r.count))}`,
      );
    }
    let slowest = 0;
    for (const client of pair) slowest = Math.max(slowest, await warmUp(client));
    const streams = Math.max(3, Math.round(ROUND_MS / slowest));
    const rates = new Map(pair.map((c) => [c.name, []]));
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? pair : [...pair].reverse();
      for (const client of order)
        rates.get(client.name).push(await timeRound(client, streams, expectedCount));
    }
    for (const client of pair) {
      rows.push({
        name: `${client.name} (${shape})`,
        chunksPerSec: Math.round(median(rates.get(client.name))),
      });
    }
  }
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const rows = await run();
  const width = Math.max(...rows.map((r) => r.name.length));
  console.log(`${"client (delivery)".padEnd(width)}  chunks/s`);
  for (const row of rows)
    console.log(`${row.name.padEnd(width)}  ${row.chunksPerSec.toLocaleString("en-US")}`);
}
