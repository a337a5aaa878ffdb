import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { runOpenLoop } from "./open-loop.mjs";

let server;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r) ?? r());
  server = undefined;
});

/** A real server on 127.0.0.1 that holds every answer until `openAt` (ms after it starts listening). */
async function serverThatStalls(stallMs) {
  let openAt = 0;
  const held = [];
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const answer = () => {
        if (req.headers["x-fail"]) res.writeHead(500).end("no");
        else res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
      };
      const wait = openAt - performance.now();
      if (wait > 0) held.push(setTimeout(answer, wait));
      else answer();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stallFromNow: () => {
      openAt = performance.now() + stallMs;
    },
  };
}

describe("runOpenLoop", () => {
  it("sends on schedule while answers are held, and charges the wait from each scheduled time", async () => {
    const target = await serverThatStalls(400);
    target.stallFromNow();
    const r = await runOpenLoop({
      url: target.url,
      path: "/",
      headers: {},
      body: { q: 1 },
      rate: 100,
      durationMs: 1000,
    });
    // Open loop: all 100 requests went out although none was answered for 400 ms, on connections
    // opened as the earlier ones stayed busy.
    expect(r.requests).toBe(100);
    expect(r.errors).toBe(0);
    expect(r.connections).toBeGreaterThan(10);
    // The first request was scheduled at 0 and answered after the stall: its latency is the stall, not
    // the few µs between the server opening and its answer (coordinated omission would hide it).
    expect(r.max).toBeGreaterThanOrEqual(390);
    // The requests scheduled after the stall ended waited for nothing.
    expect(r.p50).toBeLessThan(r.max);
  });

  it("charges a late send (the client's own loop was busy) from its scheduled time", async () => {
    const target = await serverThatStalls(0);
    const run = runOpenLoop({
      url: target.url,
      path: "/",
      headers: {},
      body: {},
      rate: 100,
      durationMs: 1000,
    });
    // Block this event loop for 300 ms: the requests due meanwhile leave late, in one burst. Measured
    // from when they actually left, they would look instant; from their schedule, they waited.
    const until = performance.now() + 300;
    while (performance.now() < until) {}
    const r = await run;
    expect(r.requests).toBe(100);
    expect(r.max).toBeGreaterThanOrEqual(250);
  });

  it("counts a non-200 answer as an error, not as a latency", async () => {
    const target = await serverThatStalls(0);
    const r = await runOpenLoop({
      url: target.url,
      path: "/",
      headers: { "x-fail": "1" },
      body: {},
      rate: 50,
      durationMs: 200,
    });
    expect(r.errors).toBe(10);
    expect(r.requests).toBe(0);
  });
});
