import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** What a test server saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
  /** Set once the client closed the connection before the response ended. */
  closedEarly: boolean;
  /** Resolves when the response finished or the client went away. */
  done: Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest, index: number) => void;

export interface TestServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

/**
 * A real HTTP server on an ephemeral 127.0.0.1 port. `handler` answers each request after its body
 * was read; `index` counts requests from 0 so handlers can script retries.
 */
export async function startServer(handler: Handler): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let markDone: () => void = () => {};
      const seen: SeenRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        closedEarly: false,
        done: new Promise<void>((resolve) => {
          markDone = resolve;
        }),
      };
      res.on("close", () => {
        if (!res.writableFinished) seen.closedEarly = true;
        markDone();
      });
      const index = requests.length;
      requests.push(seen);
      handler(req, res, seen, index);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Sends a JSON body with a request id header. */
export function sendJSON(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_TEST", ...headers });
  res.end(JSON.stringify(body));
}

/** Starts an SSE response. */
export function startSSE(res: ServerResponse, headers: Record<string, string> = {}): void {
  res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": "req_STREAM", ...headers });
  res.flushHeaders();
}

export function sseData(value: unknown): string {
  return `data: ${typeof value === "string" ? value : JSON.stringify(value)}\n\n`;
}

/** A chat chunk with the given delta. */
export function chunk(
  delta: Record<string, unknown>,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "openai/gpt-4o-mini",
    choices: [{ index: 0, delta, finish_reason: null }],
    ...extra,
  };
}

export const completion = {
  id: "chatcmpl-1",
  object: "chat.completion",
  created: 1,
  model: "openai/gpt-4o-mini",
  choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2, cost: 0.0001 },
};

export function errorEnvelope(code: string, message: string, extra: Record<string, unknown> = {}): unknown {
  return { error: { code, message, type: "error", ...extra }, request_id: "req_BODY" };
}
