// The bench's reference row: a bare Node proxy doing the least any gateway must do, so the gateway's
// cost is read against it (gateway/bare is stable across machines; gateway/direct is not). node:http in
// front of an undici Pool; it parses the request JSON and rewrites `model` (drops the `provider/`
// prefix); non-streaming, it parses the answer, puts the requested model back and adds `usage.cost`;
// streaming, it pipes the upstream's bytes. No keys, limits, accounting or validation.
// Usage: node bench/bare-proxy.mjs --upstream http://127.0.0.1:PORT  → prints "Bare proxy listening on URL"
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { Pool } from "undici";

const { values } = parseArgs({ options: { upstream: { type: "string" }, port: { type: "string" } } });
const pool = new Pool(values.upstream, { connections: null, keepAliveTimeout: 30_000 });
// gpt-4o-mini's list price, USD per million tokens: the same arithmetic the gateway does.
const PRICE = { input: 0.15, output: 0.6 };

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

const server = createServer(async (req, res) => {
  try {
    const body = JSON.parse(await readBody(req));
    const model = body.model;
    body.model = model.slice(model.indexOf("/") + 1);
    const up = await pool.request({
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sim-openai-key" },
      body: JSON.stringify(body),
    });
    if (body.stream) {
      res.writeHead(up.statusCode, { "content-type": up.headers["content-type"] ?? "text/event-stream" });
      for await (const chunk of up.body) res.write(chunk);
      res.end();
      return;
    }
    const answer = JSON.parse(await up.body.text());
    answer.model = model;
    if (answer.usage) {
      answer.usage.cost =
        (answer.usage.prompt_tokens * PRICE.input + answer.usage.completion_tokens * PRICE.output) / 1e6;
    }
    const text = JSON.stringify(answer);
    res.writeHead(up.statusCode, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(text),
    });
    res.end(text);
  } catch (err) {
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: String(err) } }));
  }
});
server.keepAliveTimeout = 65_000;
server.listen(Number(values.port ?? 0), "127.0.0.1", () => {
  process.stdout.write(`Bare proxy listening on http://127.0.0.1:${server.address().port}\n`);
});
process.on("SIGTERM", () => {
  server.close();
  server.closeAllConnections();
  pool.close().finally(() => process.exit(0));
});
