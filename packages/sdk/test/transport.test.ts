import { getEventListeners } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { MeshAPI, MeshAPIApiError, VERSION } from "../src/index.js";
import { completion, errorEnvelope, sendJSON, startServer, type TestServer } from "./helpers/server.js";

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const params = { model: "openai/gpt-4o-mini", messages: [{ role: "user" as const, content: "Hi" }] };

function client(url: string, extra: ConstructorParameters<typeof MeshAPI>[0] = {}): MeshAPI {
  return new MeshAPI({ baseUrl: `${url}/`, token: "rsk_TEST", ...extra });
}

async function rejection(promise: Promise<unknown>): Promise<MeshAPIApiError> {
  const error = await promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MeshAPIApiError);
  return error as MeshAPIApiError;
}

describe("requests", () => {
  it("posts the params as JSON with auth, content type, accept and SDK headers", async () => {
    server = await startServer((_req, res) => sendJSON(res, 200, completion));
    const result = await client(server.url).chat.completions.create({
      ...params,
      temperature: 0.7,
      session_id: "s1",
    });
    expect(result).toEqual(completion);
    const [seen] = server.requests;
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe("/v1/chat/completions");
    expect(seen?.headers.authorization).toBe("Bearer rsk_TEST");
    expect(seen?.headers["content-type"]).toBe("application/json");
    expect(seen?.headers.accept).toBe("application/json");
    expect(seen?.headers["x-meshapi-sdk"]).toBe(`meshapi-node-sdk/${VERSION}`);
    expect(JSON.parse(seen?.body ?? "")).toEqual({ ...params, temperature: 0.7, session_id: "s1" });
  });

  it("layers default headers under per-call headers, and null removes one", async () => {
    server = await startServer((_req, res) => sendJSON(res, 200, completion));
    const c = client(server.url, { defaultHeaders: { "X-Team": "a", "X-Trace": "t1" } });
    await c.chat.completions.create(params, { headers: { "x-team": "b", "X-Trace": null } });
    expect(server.requests[0]?.headers["x-team"]).toBe("b");
    expect(server.requests[0]?.headers["x-trace"]).toBeUndefined();
  });

  it("lists models with GET /v1/models", async () => {
    const models = {
      object: "list",
      data: [{ id: "openai/gpt-4o-mini", object: "model", created: 1, owned_by: "openai" }],
    };
    server = await startServer((_req, res) => sendJSON(res, 200, models));
    expect(await client(server.url).models.list()).toEqual(models);
    expect(server.requests[0]?.method).toBe("GET");
    expect(server.requests[0]?.url).toBe("/v1/models");
    expect(server.requests[0]?.headers["content-type"]).toBeUndefined();
  });

  it("uses a custom fetch", async () => {
    server = await startServer((_req, res) => sendJSON(res, 200, completion));
    const urls: string[] = [];
    const c = client(server.url, {
      fetch: (url, init) => {
        urls.push(url);
        return fetch(url, init);
      },
    });
    await c.chat.completions.create(params);
    expect(urls).toEqual([`${server.url}/v1/chat/completions`]);
  });

  it("reports a success body that is not JSON as parse_error", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "x-request-id": "req_X" });
      res.end("not json");
    });
    const error = await rejection(client(server.url).chat.completions.create(params));
    expect(error.errorCode).toBe("parse_error");
    expect(error.status).toBe(200);
    expect(error.requestId).toBe("req_X");
  });
});

describe("error responses", () => {
  it("throws the gateway's envelope as MeshAPIApiError without retrying 4xx", async () => {
    server = await startServer((_req, res) =>
      sendJSON(
        res,
        422,
        errorEnvelope("validation_error", "bad", { details: [{ type: "t", loc: ["body"], msg: "m" }] }),
      ),
    );
    const error = await rejection(client(server.url).chat.completions.create(params));
    expect(error.status).toBe(422);
    expect(error.errorCode).toBe("validation_error");
    expect(error.requestId).toBe("req_BODY");
    expect(error.details).toEqual([{ type: "t", loc: ["body"], msg: "m" }]);
    expect(server.requests).toHaveLength(1);
  });

  it("reports a non-JSON error body as parse_error with the header request id", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(500, { "content-type": "text/html", "x-request-id": "req_HTML" });
      res.end("<h1>oops</h1>");
    });
    const error = await rejection(client(server.url).chat.completions.create(params));
    expect(error.errorCode).toBe("parse_error");
    expect(error.status).toBe(500);
    expect(error.requestId).toBe("req_HTML");
    expect(error.message).toContain("<h1>oops</h1>");
  });
});

describe("retries", () => {
  it("retries 429 after Retry-After and succeeds", async () => {
    server = await startServer((_req, res, _seen, index) => {
      if (index === 0)
        sendJSON(res, 429, errorEnvelope("rate_limit_exceeded", "slow"), { "retry-after": "0" });
      else sendJSON(res, 200, completion);
    });
    expect(await client(server.url).chat.completions.create(params)).toEqual(completion);
    expect(server.requests).toHaveLength(2);
  });

  it("retries 408, 502, 503 and 504 (retry-after-ms) up to maxRetries, then throws the last error", async () => {
    const statuses = [408, 502, 503, 504];
    server = await startServer((_req, res, _seen, index) =>
      sendJSON(res, statuses[index % 4] ?? 500, errorEnvelope("x", `attempt ${index}`), {
        "retry-after-ms": "1",
      }),
    );
    const error = await rejection(client(server.url, { maxRetries: 3 }).chat.completions.create(params));
    expect(server.requests).toHaveLength(4);
    expect(error.status).toBe(504);
    expect(error.message).toBe("attempt 3");
  });

  it("lets a call override the client's maxRetries", async () => {
    server = await startServer((_req, res) =>
      sendJSON(res, 503, errorEnvelope("service_unavailable", "down"), { "retry-after-ms": "1" }),
    );
    const c = client(server.url, { maxRetries: 5 });
    await rejection(c.chat.completions.create(params, { maxRetries: 0 }));
    expect(server.requests).toHaveLength(1);
    await rejection(c.chat.completions.create(params, { maxRetries: 1 }));
    expect(server.requests).toHaveLength(3);
  });

  it("does not retry when the server asks for a longer wait than the cap", async () => {
    server = await startServer((_req, res) =>
      sendJSON(res, 429, errorEnvelope("rate_limit_exceeded", "later"), { "retry-after": "3600" }),
    );
    const error = await rejection(client(server.url).chat.completions.create(params));
    expect(error.retryAfterSeconds).toBe(3600);
    expect(server.requests).toHaveLength(1);
  });

  it("does not retry 500", async () => {
    server = await startServer((_req, res) => sendJSON(res, 500, errorEnvelope("internal_error", "bug")));
    const error = await rejection(client(server.url).chat.completions.create(params));
    expect(error.errorCode).toBe("internal_error");
    expect(server.requests).toHaveLength(1);
  });

  it("retries connection failures and then reports connection_error", async () => {
    // A server that accepts and immediately resets every connection.
    let connections = 0;
    server = await startServer((req) => {
      connections++;
      req.socket.destroy();
    });
    const error = await rejection(client(server.url, { maxRetries: 1 }).chat.completions.create(params));
    expect(error.errorCode).toBe("connection_error");
    expect(error.status).toBe(0);
    expect(connections).toBe(2);
  });

  it("reports a refused connection as connection_error", async () => {
    server = await startServer(() => {});
    const url = server.url;
    await server.close();
    server = undefined;
    const error = await rejection(client(url, { maxRetries: 0 }).models.list());
    expect(error.errorCode).toBe("connection_error");
    expect(error.message).toMatch(/ECONNREFUSED|fetch failed/);
  });
});

describe("timeouts", () => {
  it("times out a slow response with errorCode timeout, per attempt", async () => {
    server = await startServer(() => {
      // Never answers.
    });
    const error = await rejection(
      client(server.url, { timeoutMs: 50, maxRetries: 1 }).chat.completions.create(params),
    );
    expect(error.errorCode).toBe("timeout");
    expect(error.status).toBe(0);
    expect(error.name).toBe("MeshAPIApiError");
    expect(server.requests).toHaveLength(2);
    await Promise.all(server.requests.map((r) => r.done));
    expect(server.requests.every((r) => r.closedEarly)).toBe(true);
  });

  it("covers the body of an ordinary call, not just the headers", async () => {
    server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"id":');
      // The rest never comes.
    });
    const error = await rejection(
      client(server.url, { maxRetries: 0 }).chat.completions.create(params, { timeoutMs: 80 }),
    );
    expect(error.errorCode).toBe("timeout");
  });
});

describe("cancellation", () => {
  it("a per-call signal aborts with AbortError and closes the connection", async () => {
    server = await startServer(() => {});
    const controller = new AbortController();
    const promise = client(server.url).chat.completions.create(params, { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort();
    const error = await rejection(promise);
    expect(error.name).toBe("AbortError");
    expect(error.errorCode).toBe("aborted");
    await server.requests[0]?.done;
    expect(server.requests[0]?.closedEarly).toBe(true);
  });

  it("a client-level signal cancels calls in flight, and an aborted one cancels before sending", async () => {
    server = await startServer(() => {});
    const controller = new AbortController();
    const c = client(server.url, { signal: controller.signal });
    const promise = c.models.list();
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    controller.abort(new Error("shutting down"));
    const error = await rejection(promise);
    expect(error.name).toBe("AbortError");
    expect((error.cause as Error).message).toBe("shutting down");
    const again = await rejection(c.models.list());
    expect(again.name).toBe("AbortError");
    expect(server.requests).toHaveLength(1);
  });

  it("aborting during the backoff sleep stops retrying", async () => {
    server = await startServer((_req, res) =>
      sendJSON(res, 503, errorEnvelope("service_unavailable", "down"), { "retry-after": "30" }),
    );
    const controller = new AbortController();
    const promise = client(server.url).chat.completions.create(params, { signal: controller.signal });
    while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect((await rejection(promise)).name).toBe("AbortError");
    expect(server.requests).toHaveLength(1);
  });

  it("leaves no abort listeners on long-lived signals", async () => {
    server = await startServer((_req, res, _seen, index) => {
      if (index % 3 === 0)
        sendJSON(res, 429, errorEnvelope("rate_limit_exceeded", "x"), { "retry-after": "0" });
      else if (index % 3 === 1) sendJSON(res, 200, completion);
      else sendJSON(res, 400, errorEnvelope("invalid_request", "bad"));
    });
    const clientSignal = new AbortController().signal;
    const callSignal = new AbortController().signal;
    const c = client(server.url, { signal: clientSignal });
    for (let i = 0; i < 5; i++) {
      await c.chat.completions.create(params, { signal: callSignal }).catch(() => undefined);
    }
    expect(getEventListeners(clientSignal, "abort")).toHaveLength(0);
    expect(getEventListeners(callSignal, "abort")).toHaveLength(0);
  });
});
