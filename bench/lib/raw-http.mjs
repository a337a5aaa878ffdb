// The load generator's HTTP/1.1 client: one keep-alive socket per worker, the request's bytes built
// once, and a response parser that finds the status, the framing (content-length or chunked) and the
// end of the body, and nothing else. It never turns a header into a string or an object.
//
// Why not undici: the load generator shares this box's two cores with the process it measures, so its
// cost per response is taken out of the gateway's throughput. undici materialises every header (a
// callback, a Buffer and a string each), so a response with six more headers cost the client ~3.6 µs
// more (perf, 2026-11-30), and the governance rows, whose responses carry the `x-ratelimit-*` headers,
// paid for the client's parsing as if it were the gateway's. Like wrk or autocannon, this client's cost
// does not grow with the headers; `BENCH_LOAD_CLIENT=undici` measures with undici instead.
import { connect } from "node:net";

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from("\r\n\r\n");

/** The request's bytes: request line, headers, content-length and body, built once per load run. */
export function encodeRequest({ host, method = "POST", path, headers, body }) {
  const payload = Buffer.from(body);
  let head = `${method} ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  head += `content-length: ${payload.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), payload]);
}

/**
 * Reads one response at a time from a byte stream. `push` takes the next chunk and returns true when
 * the response is complete; then `status` holds its status code and, for a status other than 200,
 * `body()` its text (a failed request's body is the error; a 200's is skipped, only counted).
 */
export class ResponseParser {
  constructor() {
    this.reset();
  }

  reset() {
    this.status = 0;
    this.closeAfter = false;
    this.state = "head";
    this.head = undefined; // bytes of a head split across chunks
    this.remaining = 0; // body bytes (content-length) or chunk bytes (chunked) still to come
    this.partialLine = ""; // a chunk-size or trailer line split across chunks
    this.line = undefined; // the line readLine last completed
    this.kept = [];
  }

  body() {
    return Buffer.concat(this.kept).toString("utf8");
  }

  /** Takes the next chunk; true once the response is complete. Bytes past its end are an error. */
  push(chunk) {
    let at = 0;
    if (this.state === "head") {
      const buf = this.head ? Buffer.concat([this.head, chunk]) : chunk;
      const end = buf.indexOf(HEAD_END);
      if (end < 0) {
        this.head = buf;
        return false;
      }
      this.head = undefined;
      this.readHead(buf.toString("latin1", 0, end + 2));
      chunk = buf;
      at = end + 4;
    }
    at = this.readBody(chunk, at);
    if (this.state !== "done") return false;
    if (at !== chunk.length) throw new Error("bytes after the end of the response (pipelining is not used)");
    return true;
  }

  /** The head's status line and headers up to its last CRLF; only the framing headers are looked at. */
  readHead(head) {
    if (!head.startsWith("HTTP/1.")) throw new Error(`not an HTTP/1.x response: ${head.slice(0, 40)}`);
    this.status = Number(head.slice(9, 12));
    this.closeAfter = /\r\nconnection:[ \t]*close/i.test(head);
    const length = /\r\ncontent-length:[ \t]*(\d+)/i.exec(head);
    if (/\r\ntransfer-encoding:[^\r]*chunked/i.test(head)) this.state = "size";
    else if (length) {
      this.remaining = Number(length[1]);
      this.state = this.remaining > 0 ? "body" : "done";
    } else if (this.status === 204 || this.status === 304 || this.status < 200) this.state = "done";
    else
      throw new Error(
        "a response without content-length or chunked encoding (read-to-close is not supported)",
      );
  }

  /** Advances through the body from `at`; returns where it stopped (the chunk's end, or the body's). */
  readBody(chunk, at) {
    while (at < chunk.length && this.state !== "done") {
      switch (this.state) {
        case "body":
        case "data": {
          const n = Math.min(this.remaining, chunk.length - at);
          if (this.status !== 200) this.kept.push(chunk.subarray(at, at + n));
          this.remaining -= n;
          at += n;
          if (this.remaining === 0) this.state = this.state === "body" ? "done" : "data-end";
          break;
        }
        case "size": {
          at = this.readLine(chunk, at);
          const line = this.line;
          if (line === undefined) break;
          const size = Number.parseInt(line, 16); // stops at a chunk extension's ";"
          if (Number.isNaN(size)) throw new Error(`bad chunk size line: ${JSON.stringify(line)}`);
          this.remaining = size;
          this.state = size > 0 ? "data" : "trailer";
          break;
        }
        case "data-end": {
          // The CRLF after a chunk's data, possibly split across chunks.
          const byte = chunk[at++];
          if (byte === LF) this.state = "size";
          else if (byte !== CR) throw new Error("chunk data not followed by CRLF");
          break;
        }
        case "trailer": {
          // Trailer lines, if any, then an empty line.
          at = this.readLine(chunk, at);
          if (this.line === "\r\n") this.state = "done";
          break;
        }
      }
    }
    return at;
  }

  /**
   * Reads a line (chunk size or trailer) from `at`, which may be split across chunks; returns where it
   * stopped. `line` is then the whole line with its CRLF, or undefined while its end has not arrived.
   */
  readLine(chunk, at) {
    const lf = chunk.indexOf(LF, at);
    const end = lf < 0 ? chunk.length : lf + 1;
    this.partialLine += chunk.toString("latin1", at, end);
    this.line = undefined;
    if (lf >= 0) {
      this.line = this.partialLine;
      this.partialLine = "";
    }
    return end;
  }
}

/** One keep-alive connection sending the same request bytes over and over, one at a time. */
export class RawConnection {
  constructor(url, request) {
    const u = new URL(url);
    this.host = u.hostname;
    this.port = Number(u.port || 80);
    this.request = request;
    this.parser = new ResponseParser();
    this.socket = undefined;
    this.waiting = undefined;
  }

  /** Sends the request; resolves with `{ status, body }` (`body` only for a status other than 200). */
  send() {
    if (this.waiting) return Promise.reject(new Error("one request at a time per connection"));
    const socket = this.socket ?? this.open();
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      socket.write(this.request);
    });
  }

  close() {
    this.socket?.destroy();
    this.socket = undefined;
  }

  open() {
    const socket = connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.parser.reset();
    socket.on("data", (chunk) => {
      let done;
      try {
        done = this.parser.push(chunk);
      } catch (err) {
        this.fail(socket, err);
        return;
      }
      if (!done) return;
      const { status, closeAfter } = this.parser;
      const body = status === 200 ? undefined : this.parser.body();
      this.parser.reset();
      if (closeAfter) this.drop(socket);
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve({ status, body });
    });
    socket.on("error", (err) => this.fail(socket, err));
    socket.on("close", () => this.fail(socket, new Error("the server closed the connection mid-response")));
    return socket;
  }

  drop(socket) {
    socket.destroy();
    if (this.socket === socket) this.socket = undefined;
  }

  fail(socket, err) {
    if (this.socket !== socket) return;
    this.drop(socket);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(err);
  }
}
