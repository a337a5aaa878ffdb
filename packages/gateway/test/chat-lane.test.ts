import { request } from "node:http";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "./helpers/harness.js";
import { parseExposition, sumOf } from "./helpers/prometheus.js";

/**
 * The chat lane (http/chat-lane.ts) serves POST /v1/chat/completions past Fastify. These check what
 * it must do the way the Fastify route did: the shapes it leaves to Fastify, the body limit on a body
 * without a declared length, the access line and the HTTP metrics.
 */
let h: Harness;
const lines: Record<string, unknown>[] = [];

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  h = await startHarness({ env: { MESHAPI_BODY_LIMIT_BYTES: "65536" }, log: pino({ level: "info" }, sink) });
});
afterAll(() => h.close());

/** Sends a body in chunked encoding (no Content-Length), as a streaming client would. */
function chunked(path: string, pieces: string[]): Promise<{ status: number; body: string }> {
  const u = new URL(h.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path,
        method: "POST",
        headers: { authorization: `Bearer ${h.key}`, "content-type": "application/json" },
      },
      (res) => {
        let body = "";
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    for (const p of pieces) req.write(p);
    req.end();
  });
}

describe("the chat lane", () => {
  it("reads a body that arrives in pieces without a declared length", async () => {
    const text = JSON.stringify(ask("hello lane"));
    const res = await chunked("/v1/chat/completions", [
      text.slice(0, 10),
      text.slice(10, 30),
      text.slice(30),
    ]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).choices[0].message.content).toContain("hello lane");
  });

  it("refuses a body past the limit with 413 even without a Content-Length", async () => {
    const big = JSON.stringify(ask("x".repeat(70_000)));
    const res = await chunked("/v1/chat/completions", [big.slice(0, 40_000), big.slice(40_000)]);
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body).error.code).toBe("payload_too_large");
  });

  it("serves the path with a trailing slash or a query string, as Fastify did", async () => {
    for (const path of ["/v1/chat/completions/", "/v1/chat/completions?x=1", "/v1/chat/completions/?x=1"]) {
      const res = await chunked(path, [JSON.stringify(ask("hi"))]).catch((err: Error) => ({
        status: err.message,
        body: "",
      }));
      expect(res.status, path).toBe(200);
    }
    const other = await chunked("/v1/chat/completionsX", [JSON.stringify(ask("hi"))]);
    expect(other.status).toBe(404);
  });

  it("leaves other content types to Fastify, which answers 415 in the envelope", async () => {
    const res = await h.chat("a=b", { headers: { "content-type": "application/x-www-form-urlencoded" } });
    expect(res.status).toBe(415);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unsupported_media_type");
  });

  it("refuses prototype pollution and empty bodies with 400", async () => {
    const polluted = await h.chat('{"__proto__": {"x": 1}, "messages": []}');
    expect(polluted.status).toBe(400);
    const empty = await h.chat("");
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
  });

  it("writes one access line per request, without the query string, with the key", async () => {
    const res = await h.chat(ask("access line"));
    const id = res.headers.get("x-request-id");
    await res.text();
    await new Promise((r) => setTimeout(r, 400)); // the log is flushed every 250 ms
    const line = lines.find((l) => l.requestId === id);
    expect(line).toMatchObject({ msg: "request", method: "POST", url: "/v1/chat/completions", status: 200 });
    expect(line?.keyId).toEqual(expect.any(String));
  });

  it("counts its requests in the HTTP metrics and leaves nothing in flight", async () => {
    const scrape = async () => parseExposition(await (await fetch(`${h.url}/metrics`)).text());
    const before = sumOf(await scrape(), "meshapi_http_requests_total", {
      route: "/v1/chat/completions",
      status: "200",
    });
    await Promise.all([1, 2, 3].map(async () => (await h.chat(ask("m"))).text()));
    await (await h.chat(ask("s", { stream: true }))).text();
    const after = await scrape();
    expect(
      sumOf(after, "meshapi_http_requests_total", { route: "/v1/chat/completions", status: "200" }),
    ).toBe(before + 4);
    // The scrape itself is the one request in flight.
    expect(sumOf(after, "meshapi_http_requests_in_flight")).toBe(1);
  });
});
