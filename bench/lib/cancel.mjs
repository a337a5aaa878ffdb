// Measures how soon a client's disconnect reaches the upstream through the gateway: a tiny upstream
// notes when its request socket closes; the client aborts after the first byte (stream) or while
// the upstream is still thinking (non-stream).
import { createServer } from "node:http";

export async function startSlowUpstream() {
  const closedAt = new Map();
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => {
      body += d;
    });
    req.on("end", () => {
      const id = JSON.parse(body).messages[0].content;
      res.on("close", () => closedAt.set(id, performance.now()));
      if (!JSON.parse(body).stream) return; // never answers: the client must give up
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = {
        id: "c",
        object: "chat.completion.chunk",
        created: 1,
        model: "m",
        choices: [{ index: 0, delta: { content: "x " }, finish_reason: null }],
      };
      const timer = setInterval(() => res.write(`data: ${JSON.stringify(chunk)}\n\n`), 5);
      res.on("close", () => clearInterval(timer));
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    closedAt,
    close: () => new Promise((r) => server.close(r)),
  };
}

export async function measureCancellation({ gatewayUrl, key, upstream, rounds = 20 }) {
  const results = { stream: [], nonStream: [] };
  for (let i = 0; i < rounds; i++) {
    for (const stream of [true, false]) {
      const id = `cancel-${stream}-${i}`;
      const controller = new AbortController();
      const res = fetch(`${gatewayUrl}/v1/chat/completions`, {
        method: "POST",
        signal: controller.signal,
        headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "slow/m", stream, messages: [{ role: "user", content: id }] }),
      });
      res.catch(() => {});
      if (stream) {
        const r = await res;
        await r.body.getReader().read();
      } else {
        await new Promise((r) => setTimeout(r, 30));
      }
      const t0 = performance.now();
      controller.abort();
      const deadline = t0 + 2000;
      while (!upstream.closedAt.has(id) && performance.now() < deadline)
        await new Promise((r) => setTimeout(r, 1));
      const t1 = upstream.closedAt.get(id);
      (stream ? results.stream : results.nonStream).push(
        t1 === undefined ? Number.POSITIVE_INFINITY : t1 - t0,
      );
    }
  }
  const summary = (xs) => {
    xs.sort((a, b) => a - b);
    return { median: xs[Math.floor(xs.length / 2)], max: xs[xs.length - 1] };
  };
  return { stream: summary(results.stream), nonStream: summary(results.nonStream) };
}
