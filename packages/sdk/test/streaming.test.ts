import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { type ChatCompletionChunk, MeshAPIApiError } from "../src/index.js";
import {
  chunk,
  errorEnvelope,
  sendJSON,
  sseData,
  startServer,
  startSSE,
  type TestServer,
} from "./helpers/server.js";
import {
  client,
  collect,
  happyStream,
  iterationError,
  streamParams as params,
  text,
  usage,
} from "./helpers/streams.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("streams", () => {
  it("can be iterated straight from create() and sends Accept: text/event-stream", async () => {
    server = await startServer((_req, res) => happyStream(res));
    const stream = client(server.url).chat.completions.create(params);
    const chunks = await collect(stream);
    expect(text(chunks)).toBe("Hello there friend");
    expect(chunks.at(-1)?.usage).toEqual(usage);
    expect(server.requests[0]?.headers.accept).toBe("text/event-stream");
    expect(JSON.parse(server.requests[0]?.body ?? "").stream).toBe(true);
    expect(await stream.requestId).toBe("req_STREAM");
  });

  it("can be awaited first and resolves to the same, iterable stream", async () => {
    server = await startServer((_req, res) => happyStream(res));
    const pending = client(server.url).chat.completions.create(params);
    const stream = await pending;
    expect(stream).toBe(pending);
    expect("then" in stream).toBe(false);
    expect(await stream).toBe(stream);
    expect(text(await collect(stream))).toBe("Hello there friend");
  });

  it("rejects the await with the HTTP error, before any iteration", async () => {
    server = await startServer((_req, res) => sendJSON(res, 401, errorEnvelope("unauthorized", "bad key")));
    const error = await Promise.resolve(client(server.url).chat.completions.create(params)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MeshAPIApiError);
    expect((error as MeshAPIApiError).errorCode).toBe("unauthorized");
    expect((error as MeshAPIApiError).status).toBe(401);
  });

  it("throws HTTP errors from the loop when iterated without await", async () => {
    server = await startServer((_req, res) =>
      sendJSON(res, 404, errorEnvelope("model_not_found", "no such model"), { "x-request-id": "req_404" }),
    );
    const stream = client(server.url).chat.completions.create(params);
    const error = await iterationError(stream);
    expect(error.errorCode).toBe("model_not_found");
    expect(error.requestId).toBe("req_BODY");
    expect(await stream.requestId).toBe("req_BODY");
  });

  it("can be consumed only once", async () => {
    server = await startServer((_req, res) => happyStream(res));
    const stream = client(server.url).chat.completions.create(params);
    await collect(stream);
    await expect(collect(stream)).rejects.toThrow(/already consumed/);
  });

  it("closes the connection when the loop breaks early", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      res.write(sseData(chunk({ content: "one" })));
      // Keeps the stream open: only the client can end it.
      const timer = setInterval(() => res.write(sseData(chunk({ content: " more" }))), 20);
      res.on("close", () => clearInterval(timer));
    });
    const stream = client(server.url).chat.completions.create(params);
    for await (const c of stream) {
      expect(c.choices[0]?.delta.content).toBe("one");
      break;
    }
    await server.requests[0]?.done;
    expect(server.requests[0]?.closedEarly).toBe(true);
    expect(stream.controller.signal.aborted).toBe(true);
  });

  it("throws AbortError mid-stream when the call's signal aborts, closing the connection", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      const timer = setInterval(() => res.write(sseData(chunk({ content: "x" }))), 10);
      res.on("close", () => clearInterval(timer));
    });
    const controller = new AbortController();
    const longLived = new AbortController();
    const stream = client(server.url, { signal: longLived.signal }).chat.completions.create(params, {
      signal: controller.signal,
    });
    let received = 0;
    let caught: unknown;
    try {
      for await (const _ of stream) {
        received++;
        if (received === 3) controller.abort();
      }
    } catch (error) {
      caught = error;
    }
    expect((caught as Error).name).toBe("AbortError");
    expect((caught as MeshAPIApiError).errorCode).toBe("aborted");
    expect(received).toBe(3);
    await server.requests[0]?.done;
    expect(server.requests[0]?.closedEarly).toBe(true);
    expect(getEventListeners(longLived.signal, "abort")).toHaveLength(0);
    expect(getEventListeners(controller.signal, "abort")).toHaveLength(0);
  });

  it("stream.abort() from outside a waiting loop throws AbortError", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      res.write(sseData(chunk({ content: "first" })));
    });
    const stream = client(server.url).chat.completions.create(params);
    const seen: string[] = [];
    const loop = (async () => {
      for await (const c of stream) {
        seen.push(c.choices[0]?.delta.content ?? "");
        setTimeout(() => stream.abort(), 10);
      }
    })();
    await expect(loop).rejects.toMatchObject({ name: "AbortError" });
    expect(seen).toEqual(["first"]);
  });

  it("reports a connection dropped mid-stream as stream_interrupted", async () => {
    server = await startServer((req, res) => {
      startSSE(res);
      res.write(sseData(chunk({ content: "partial" })));
      setTimeout(() => req.socket.destroy(), 20);
    });
    const stream = client(server.url).chat.completions.create(params);
    const error = await iterationError(stream);
    expect(error.errorCode).toBe("stream_interrupted");
    expect(error.status).toBe(0);
    expect(error.requestId).toBe("req_STREAM");
    // Data had been delivered, so the call was not retried.
    expect(server.requests).toHaveLength(1);
  });

  it("reports a stream that ends without [DONE] as stream_interrupted", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      res.end(sseData(chunk({ content: "partial" })));
    });
    const error = await iterationError(client(server.url).chat.completions.create(params));
    expect(error.errorCode).toBe("stream_interrupted");
    expect(error.message).toContain("[DONE]");
  });

  it("throws a mid-stream error frame as MeshAPIApiError with status 0 and the frame's code", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      res.write(sseData(chunk({ content: "partial" })));
      res.write(
        sseData({
          error: { code: "upstream_error", message: "provider died", type: "upstream" },
          request_id: "req_F",
        }),
      );
      res.end(sseData("[DONE]"));
    });
    const stream = client(server.url).chat.completions.create(params);
    const received: ChatCompletionChunk[] = [];
    let caught: unknown;
    try {
      for await (const c of stream) received.push(c);
    } catch (error) {
      caught = error;
    }
    expect(received).toHaveLength(1);
    expect(caught).toBeInstanceOf(MeshAPIApiError);
    expect(caught).toMatchObject({
      status: 0,
      errorCode: "upstream_error",
      message: "provider died",
      requestId: "req_F",
    });
  });

  it("reports a malformed frame as parse_error", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      res.write(sseData(chunk({ content: "ok" })));
      res.write("data: {not json\n\n");
      res.end(sseData("[DONE]"));
    });
    const error = await iterationError(client(server.url).chat.completions.create(params));
    expect(error.errorCode).toBe("parse_error");
    expect(error.message).toContain("{not json");
  });

  it("rejects an event larger than 16 MiB as parse_error instead of buffering it", async () => {
    server = await startServer((_req, res) => {
      startSSE(res);
      res.write(sseData(chunk({ content: "ok" })));
      res.write(`data: ${"x".repeat(17 * 1024 * 1024)}`);
    });
    const error = await iterationError(client(server.url).chat.completions.create(params));
    expect(error.errorCode).toBe("parse_error");
    expect(error.status).toBe(0);
    await server.requests[0]?.done;
    expect(server.requests[0]?.closedEarly).toBe(true);
  });

  it("handles CRLF framing and events split across network writes", async () => {
    server = await startServer(async (_req, res) => {
      startSSE(res);
      const body = [
        sseData(chunk({ content: "Grüße " })),
        sseData(chunk({ content: "🌍" })),
        sseData("[DONE]"),
      ]
        .join("")
        .replaceAll("\n", "\r\n");
      const bytes = Buffer.from(body, "utf8");
      for (let i = 0; i < bytes.length; i += 7) {
        res.write(bytes.subarray(i, i + 7));
        await new Promise((r) => setTimeout(r, 1));
      }
      res.end();
    });
    const chunks = await collect(client(server.url).chat.completions.create(params));
    expect(text(chunks)).toBe("Grüße 🌍");
  });
});

describe("stream retries and timeouts", () => {
  it("retries a stream that failed before its first byte", async () => {
    server = await startServer((_req, res, _seen, index) => {
      if (index === 0)
        sendJSON(res, 503, errorEnvelope("service_unavailable", "busy"), { "retry-after-ms": "1" });
      else if (index === 1) res.socket?.destroy();
      else happyStream(res);
    });
    const chunks = await collect(client(server.url).chat.completions.create(params));
    expect(text(chunks)).toBe("Hello there friend");
    expect(server.requests).toHaveLength(3);
  });

  it("times out when the first byte does not arrive in time, but not once streaming", async () => {
    server = await startServer((_req, res, _seen, index) => {
      startSSE(res);
      if (index === 0) return; // headers, then silence
      // Slow but steady: longer in total than the timeout.
      let sent = 0;
      const timer = setInterval(() => {
        sent++;
        if (sent <= 4) res.write(sseData(chunk({ content: `${sent}` })));
        else {
          clearInterval(timer);
          res.end(sseData("[DONE]"));
        }
      }, 40);
    });
    const c = client(server.url, { timeoutMs: 100 });
    const error = await iterationError(c.chat.completions.create(params, { maxRetries: 0 }));
    expect(error.errorCode).toBe("timeout");
    expect(error.message).toContain("first byte");
    const chunks = await collect(c.chat.completions.create(params, { maxRetries: 0 }));
    expect(text(chunks)).toBe("1234");
  });
});
