import { createServer } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { encodeRequest, RawConnection, ResponseParser } from "./raw-http.mjs";

/** Feeds `text` to a fresh parser cut at `cuts`; returns the parser and on which piece it finished. */
function feed(text, cuts = []) {
  const bytes = Buffer.from(text, "latin1");
  const parser = new ResponseParser();
  const edges = [0, ...cuts, bytes.length];
  let doneAt = -1;
  for (let i = 0; i + 1 < edges.length; i++) {
    const piece = bytes.subarray(edges[i], edges[i + 1]);
    if (piece.length === 0) continue;
    if (parser.push(piece)) doneAt = i;
  }
  return { parser, doneAt, pieces: edges.length - 1 };
}

const LENGTH_RESPONSE =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-ratelimit-limit-requests: 5\r\nContent-Length: 11\r\n\r\n{"ok":true}';
const CHUNKED_RESPONSE =
  "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ntransfer-encoding: chunked\r\n\r\n" +
  "7\r\ndata: 1\r\n10;ext=1\r\ndata: [DONE]\n\n\r\n\r\n" +
  "0\r\nx-trailer: yes\r\n\r\n";

describe("ResponseParser", () => {
  it("finishes a content-length response on its last byte, however the bytes are cut", () => {
    for (let cut = 1; cut < LENGTH_RESPONSE.length; cut++) {
      const { parser, doneAt, pieces } = feed(LENGTH_RESPONSE, [cut]);
      expect(doneAt, `cut at ${cut}`).toBe(pieces - 1);
      expect(parser.status).toBe(200);
    }
  });

  it("finishes a chunked response (extensions, trailer) on its last byte, however the bytes are cut", () => {
    for (let a = 1; a < CHUNKED_RESPONSE.length; a++) {
      for (const b of [a + 1, a + 7]) {
        const { doneAt, pieces } = feed(CHUNKED_RESPONSE, b < CHUNKED_RESPONSE.length ? [a, b] : [a]);
        expect(doneAt, `cuts at ${a}, ${b}`).toBe(pieces - 1);
      }
    }
  });

  it("is not done until the body's last byte has arrived", () => {
    expect(feed(LENGTH_RESPONSE.slice(0, -1)).doneAt).toBe(-1);
    expect(feed(CHUNKED_RESPONSE.slice(0, -2)).doneAt).toBe(-1);
  });

  it("keeps the body of a response other than 200, decoded as UTF-8", () => {
    const body = JSON.stringify({ error: { message: "Ünknown model" } });
    const { parser, doneAt } = feed(
      `HTTP/1.1 404 Not Found\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${Buffer.from(body).toString("latin1")}`,
      [40],
    );
    expect(doneAt).toBe(1);
    expect(parser.status).toBe(404);
    expect(parser.body()).toBe(body);
  });

  it("reads a 204 and a zero-length body as complete at the end of the head", () => {
    expect(feed("HTTP/1.1 204 No Content\r\ndate: x\r\n\r\n").doneAt).toBe(0);
    expect(feed("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").doneAt).toBe(0);
  });

  it("notes `connection: close`", () => {
    expect(feed("HTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 0\r\n\r\n").parser.closeAfter).toBe(
      true,
    );
    expect(feed(LENGTH_RESPONSE).parser.closeAfter).toBe(false);
  });

  it("rejects bytes past the end, a response it cannot frame, and a bad chunk size", () => {
    expect(() => feed(`${LENGTH_RESPONSE}HTTP/1.1`)).toThrow(/after the end/);
    expect(() => feed("HTTP/1.1 200 OK\r\ndate: x\r\n\r\nabc")).toThrow(/content-length or chunked/);
    expect(() => feed("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n")).toThrow(/chunk size/);
    expect(() => feed("SSH-2.0-OpenSSH\r\n\r\n")).toThrow(/not an HTTP/);
  });
});

describe("RawConnection against a real HTTP server", () => {
  let close = async () => {};
  afterEach(() => close());

  async function serve(handler) {
    const sockets = new Set();
    const server = createServer(handler);
    server.on("connection", (s) => sockets.add(s));
    await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
    close = () => new Promise((resolve) => server.close(resolve).closeAllConnections());
    return { url: `http://127.0.0.1:${server.address().port}`, connections: () => sockets.size };
  }

  it("sends the request's bytes as given and reuses one connection", async () => {
    const seen = [];
    const server = await serve((req, res) => {
      let body = "";
      req.on("data", (d) => {
        body += d;
      });
      req.on("end", () => {
        seen.push({ method: req.method, url: req.url, auth: req.headers.authorization, body });
        res.setHeader("content-type", "application/json");
        res.end('{"n":1}');
      });
    });
    const request = encodeRequest({
      host: new URL(server.url).host,
      path: "/v1/chat/completions",
      headers: { authorization: "Bearer k", "content-type": "application/json" },
      body: '{"q":"é"}',
    });
    const conn = new RawConnection(server.url, request);
    for (let i = 0; i < 3; i++) expect(await conn.send()).toEqual({ status: 200, body: undefined });
    conn.close();
    expect(seen).toHaveLength(3);
    expect(seen[0]).toEqual({
      method: "POST",
      url: "/v1/chat/completions",
      auth: "Bearer k",
      body: '{"q":"é"}',
    });
    expect(server.connections()).toBe(1);
  });

  it("reads a streamed (chunked) response to its end, and an error's body", async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      req.resume();
      req.on("end", async () => {
        if (++calls === 2) {
          res.statusCode = 429;
          res.end('{"error":"slow down"}');
          return;
        }
        res.setHeader("content-type", "text/event-stream");
        for (let i = 0; i < 5; i++) {
          res.write(`data: ${i}\n\n`);
          await new Promise((r) => setTimeout(r, 2));
        }
        res.end("data: [DONE]\n\n");
      });
    });
    const conn = new RawConnection(
      server.url,
      encodeRequest({ host: "x", path: "/", headers: {}, body: "{}" }),
    );
    expect(await conn.send()).toEqual({ status: 200, body: undefined });
    expect(await conn.send()).toEqual({ status: 429, body: '{"error":"slow down"}' });
    expect(await conn.send()).toEqual({ status: 200, body: undefined });
    conn.close();
    expect(server.connections()).toBe(1);
  });

  it("opens a new connection after `connection: close`, and fails a request the server cuts off", async () => {
    let calls = 0;
    const server = await serve((req, res) => {
      req.resume();
      req.on("end", () => {
        calls++;
        if (calls === 1) {
          res.setHeader("connection", "close");
          res.end("bye");
        } else if (calls === 2) res.socket?.destroy();
        else res.end("ok");
      });
    });
    const conn = new RawConnection(
      server.url,
      encodeRequest({ host: "x", path: "/", headers: {}, body: "{}" }),
    );
    expect(await conn.send()).toEqual({ status: 200, body: undefined });
    await expect(conn.send()).rejects.toThrow(/closed the connection|ECONNRESET/);
    expect(await conn.send()).toEqual({ status: 200, body: undefined });
    conn.close();
    expect(server.connections()).toBe(3);
  });
});
