import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ask, type Harness, startHarness } from "../helpers/harness.js";
import { firstBody, rawExchange } from "./raw-socket.js";

// Abuse through the HTTP layer itself: requests that never finish their headers, header blocks that
// are too big, and framing that tries to smuggle a second request past the gateway. None may produce a
// 5xx or crash the gateway; the gateway keeps serving real requests throughout.
describe("abuse: HTTP framing and slow clients", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      env: { MESHAPI_HEADERS_TIMEOUT_MS: "1000", MESHAPI_REQUEST_TIMEOUT_MS: "2000" },
    });
  });
  afterAll(() => h.close());

  const chatBody = JSON.stringify(ask("smuggled"));
  // The outer request is a real chat request, so the gateway would read its body.
  const outerChat = () =>
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.key}\r\nContent-Type: application/json\r\n`;
  const smuggledChat = () =>
    `POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${h.key}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${chatBody.length}\r\n\r\n${chatBody}`;

  it("slowloris: headers trickled byte by byte are cut with 408 after the headers timeout", async () => {
    const started = Date.now();
    const slow = rawExchange(h.url, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ", {
      trickleMs: 50,
      waitMs: 8_000,
    });
    // Real traffic keeps flowing meanwhile.
    expect((await h.chat(ask("still here"))).status).toBe(200);
    const res = await slow;
    expect(res.closed).toBe(true);
    expect(res.statuses).toEqual([408]);
    expect(firstBody(res.text).error?.code).toBe("request_timeout");
    expect(Date.now() - started).toBeLessThan(8_000);
  });

  it("a body trickled slower than the request timeout is cut with 408", async () => {
    const head = `${outerChat()}Content-Length: 100000\r\n\r\n`;
    const res = await rawExchange(h.url, '{"model":"openai/gpt-4o-mini","messages":[', {
      head,
      trickleMs: 50,
      waitMs: 8_000,
    });
    expect(res.closed).toBe(true);
    expect(res.statuses).toEqual([408]);
    expect(firstBody(res.text).error?.code).toBe("request_timeout");
  });

  it("the request timeout bounds receiving the request, not answering it", async () => {
    // Both answers take longer than the 2 s request timeout.
    const [slow, stream] = await Promise.all([
      h.chat(ask("[[sim:delay_ms=2200]] slow")),
      h.chat(ask("[[sim:words=5,chunk_delay_ms=500]] slow stream", { stream: true })),
    ]);
    expect(slow.status).toBe(200);
    expect(stream.status).toBe(200);
    expect(await stream.text()).toContain("data: [DONE]");
  });

  it("one huge header → 431 headers_too_large, connection closed", async () => {
    const res = await rawExchange(
      h.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(64 * 1024)}\r\n\r\n`,
    );
    expect(res.statuses).toEqual([431]);
    const body = firstBody(res.text);
    expect(body.error?.code).toBe("headers_too_large");
    expect(res.text).toContain(`x-request-id: ${body.request_id}`);
    expect(res.closed).toBe(true);
  });

  it("thousands of small header fields → 431 headers_too_large", async () => {
    const fields = Array.from({ length: 1_000 }, (_, i) => `X-H${i}: v\r\n`).join("");
    const res = await rawExchange(h.url, `GET /healthz HTTP/1.1\r\nHost: x\r\n${fields}\r\n`);
    expect(res.statuses).toEqual([431]);
    expect(firstBody(res.text).error?.code).toBe("headers_too_large");
  });

  it("a request with a normal number of headers still passes", async () => {
    const fields = Array.from({ length: 50 }, (_, i) => `X-H${i}: v\r\n`).join("");
    const res = await rawExchange(
      h.url,
      `GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n${fields}\r\n`,
    );
    expect(res.statuses).toEqual([200]);
  });

  // Each shape carries a complete, authenticated chat request after the ambiguous framing. A server (or a
  // proxy in front of it) that read the framing another way would run it; the gateway must answer 400
  // once, close the connection, and never reach the upstream.
  const smuggling: [string, () => string][] = [
    [
      "two different Content-Length values",
      () => `${outerChat()}Content-Length: 0\r\nContent-Length: 300\r\n\r\n${smuggledChat()}`,
    ],
    [
      "Transfer-Encoding with Content-Length",
      () => `${outerChat()}Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${smuggledChat()}`,
    ],
    [
      "Transfer-Encoding: xchunked",
      () => `${outerChat()}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n${smuggledChat()}`,
    ],
    [
      "Transfer-Encoding: chunked, identity",
      () => `${outerChat()}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggledChat()}`,
    ],
    [
      "a space before the colon of Transfer-Encoding",
      () => `${outerChat()}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n${smuggledChat()}`,
    ],
    [
      "a bare LF inside a chunked body",
      () => `${outerChat()}Transfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n${smuggledChat()}`,
    ],
  ];

  it.each(smuggling)("smuggling: %s → 400, closed, nothing smuggled through", async (_name, bytes) => {
    h.sim.reset();
    const res = await rawExchange(h.url, bytes());
    expect(res.statuses).toEqual([400]);
    expect(firstBody(res.text).error?.code).toBe("invalid_request");
    expect(res.closed).toBe(true);
    expect(h.sim.requests()).toHaveLength(0);
  });

  it("the smuggled chat request itself is valid: sent alone it reaches the upstream", async () => {
    h.sim.reset();
    const res = await rawExchange(
      h.url,
      smuggledChat().replace("Host: x\r\n", "Host: x\r\nConnection: close\r\n"),
    );
    expect(res.statuses).toEqual([200]);
    expect(h.sim.requests()).toHaveLength(1);
  });
});
