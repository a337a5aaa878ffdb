import { Writable } from "node:stream";
import type pino from "pino";
import { describe, expect, it } from "vitest";
import { accessLogger, createLogger } from "../src/logging.js";
import { ask, startHarness } from "./helpers/harness.js";

/** A logger like production's (same redaction), writing into an array of parsed lines. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  let raw = "";
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      raw += String(chunk);
      for (const line of String(chunk).split("\n")) if (line) lines.push(JSON.parse(line));
      callback();
    },
  });
  return {
    log: createLogger("info", destination as unknown as pino.DestinationStream),
    lines,
    raw: () => raw,
  };
}

describe("logs", () => {
  it("write access lines that are valid JSON whatever the path holds, and leave out absent fields", () => {
    const { log, lines } = capturingLogger();
    const access = accessLogger(log);
    const url = '/v1/x"y\\z\u00e9\u2028\u0001';
    access({
      requestId: "req_1",
      clientRequestId: undefined,
      method: "GET",
      url,
      status: 404,
      ms: 3,
      keyId: undefined,
    });
    log.flush();
    expect(lines).toEqual([
      {
        level: 30,
        time: expect.any(Number),
        service: "meshapi",
        requestId: "req_1",
        method: "GET",
        url,
        status: 404,
        ms: 3,
        msg: "request",
      },
    ]);
    log.level = "warn";
    access({
      requestId: "req_2",
      clientRequestId: "c",
      method: "GET",
      url: "/",
      status: 200,
      ms: 1,
      keyId: "key_1",
    });
    expect(lines).toHaveLength(1);
  });

  it("write one access line per request: ids, method, path without query, status, timing, key id", async () => {
    const { log, lines } = capturingLogger();
    const h = await startHarness({ log });
    try {
      const res = await fetch(`${h.url}/v1/chat/completions?api_key=${h.key}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${h.key}`,
          "content-type": "application/json",
          "x-request-id": "client-123",
        },
        body: JSON.stringify(ask("hello")),
      });
      expect(res.status).toBe(200);
      await res.text();
      const access = lines.filter((l) => l.msg === "request");
      expect(access).toHaveLength(1);
      expect(access[0]).toMatchObject({
        level: 30,
        service: "meshapi",
        requestId: res.headers.get("x-request-id"),
        clientRequestId: "client-123",
        method: "POST",
        url: "/v1/chat/completions",
        status: 200,
        keyId: expect.stringMatching(/^key_/),
      });
      expect(typeof access[0]?.ms).toBe("number");
      expect(typeof access[0]?.time).toBe("number");
    } finally {
      await h.close();
    }
  });

  it("never contain a key, whether sent as a header, in the query string or as a logged field", async () => {
    const { log, raw } = capturingLogger();
    const h = await startHarness({ log });
    try {
      await (await h.chat(ask("hi"), { headers: { "x-api-key": h.key } })).text();
      await (
        await fetch(`${h.url}/v1/models?key=${h.key}`, { headers: { authorization: "Bearer rsk_bogus" } })
      ).text();
      log.info({ headers: { authorization: `Bearer ${h.key}` }, key: h.key }, "a careless line");
      log.flush?.();
      expect(raw()).toContain("a careless line");
      expect(raw()).not.toContain(h.key);
      expect(raw()).not.toContain(h.key.slice(4));
    } finally {
      await h.close();
    }
  });
});
