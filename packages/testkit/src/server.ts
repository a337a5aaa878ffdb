/**
 * The simulator's HTTP server: reads and records each request, then routes it to the wire
 * format it speaks. One server answers OpenAI, Anthropic and Gemini paths, plus the control
 * endpoints under `/_sim/`.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Exchange } from "./exchange.js";
import { handleChatCompletions, handleOpenAIModels } from "./openai/handler.js";
import { Recorder } from "./recorder.js";
import { type ResolvedKeys, routeVendor } from "./routes.js";
import type { RecordedRequest, Simulator, SimulatorApiKeys, SimulatorOptions } from "./types.js";

/** Bigger than any provider accepts; only guards the simulator's own memory. */
const MAX_BODY_BYTES = 64 * 1024 * 1024;

function resolveKeys(keys: SimulatorApiKeys | undefined): ResolvedKeys {
  if (typeof keys === "string") return { openai: keys, anthropic: keys, gemini: keys };
  return { openai: keys?.openai, anthropic: keys?.anthropic, gemini: keys?.gemini };
}

/**
 * Starts a provider simulator on 127.0.0.1 (ephemeral port unless `port` is given).
 *
 * @example
 * const sim = await startSimulator();
 * const client = new OpenAI({ baseURL: sim.openaiBaseUrl, apiKey: "sk-test" });
 * await client.chat.completions.create({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] });
 * await sim.close();
 */
export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const recorder = new Recorder(opts.record !== false, Math.max(1, opts.maxRecords ?? 2000));
  const keys = resolveKeys(opts.apiKey);
  const faults = new StandingFaults();
  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res, recorder, keys, faults).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { "content-type": "application/json" });
        res.end(
          JSON.stringify({ error: { message: `simulator failure: ${String(error)}`, type: "server_error" } }),
        );
      } else {
        res.destroy();
      }
    });
  });
  const host = opts.host ?? "127.0.0.1";
  await listen(server, opts.port ?? 0, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
  let closing: Promise<void> | null = null;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    requests: () => recorder.list(),
    waitFor: (pred, timeoutMs = 5000) => waitFor(recorder, pred, timeoutMs),
    reset: () => recorder.clear(),
    setFaults: (directives, count) => faults.set(directives, count),
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung and streaming requests would keep close() waiting forever.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

async function waitFor(
  recorder: Recorder,
  pred: (request: RecordedRequest) => boolean,
  timeoutMs: number,
): Promise<RecordedRequest> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = recorder.list().find(pred);
    if (match !== undefined) return match;
    if (Date.now() >= deadline) {
      const seen = recorder
        .list()
        .map((r) => `${r.method} ${r.path} status=${r.status} aborted=${r.aborted} finished=${r.finished}`);
      throw new Error(
        `simulator.waitFor: no matching request within ${timeoutMs} ms; recorded: ${seen.length === 0 ? "none" : seen.join("; ")}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  recorder: Recorder,
  keys: ResolvedKeys,
  faults: StandingFaults,
): Promise<void> {
  const target = req.url ?? "/";
  const q = target.indexOf("?");
  const path = q === -1 ? target : target.slice(0, q);
  const query = q === -1 ? "" : target.slice(q + 1);
  if (path.startsWith("/_sim/")) {
    await control(req, res, path, recorder, faults);
    return;
  }
  const record = recorder.start(req, path);
  const raw = await readBody(req);
  if (raw === "aborted") {
    if (record !== null) record.aborted = true;
    return;
  }
  if (raw === "too_large") {
    if (record !== null) record.status = 413;
    res.writeHead(413, { "content-type": "application/json", connection: "close" });
    res.end(JSON.stringify({ error: { message: "Request body too large.", type: "invalid_request_error" } }));
    return;
  }
  const body = parseJson(raw);
  if (record !== null) record.body = body ?? null;
  const ex = new Exchange(req, res, path, query, body, record);
  const method = req.method ?? "GET";
  if (method === "POST") ex.standing = faults.take();

  // The hot route first, without any pattern matching.
  if (method === "POST" && path === "/v1/chat/completions") {
    await handleChatCompletions(ex, keys.openai);
    return;
  }
  if (await routeVendor(ex, method, keys)) return;
  if (method === "GET" && path === "/v1/models") {
    handleOpenAIModels(ex, keys.openai, null);
    return;
  }
  if (method === "GET" && path.startsWith("/v1/models/")) {
    handleOpenAIModels(ex, keys.openai, decodeURIComponent(path.slice("/v1/models/".length)));
    return;
  }
  ex.json(404, {
    error: {
      message: `Invalid URL (${method} ${path})`,
      type: "invalid_request_error",
      param: null,
      code: null,
    },
  });
}

/** `undefined` = not JSON; `null` = empty body. */
function parseJson(raw: Buffer | null): unknown {
  if (raw === null || raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch {
    return undefined;
  }
}

function readBody(req: IncomingMessage): Promise<Buffer | null | "aborted" | "too_large"> {
  if (req.method === "GET" || req.method === "HEAD") {
    req.resume();
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => {
      if (size > MAX_BODY_BYTES) resolve("too_large");
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    req.on("error", () => resolve("aborted"));
    req.on("aborted", () => resolve("aborted"));
  });
}

/** Faults applied to every model request, or to the next `remaining` of them. */
class StandingFaults {
  private directives: string | undefined;
  private remaining = Number.POSITIVE_INFINITY;

  set(directives: string | null, count?: number): void {
    this.directives = directives === null || directives.trim() === "" ? undefined : directives;
    this.remaining = count ?? Number.POSITIVE_INFINITY;
  }

  take(): string | undefined {
    if (this.directives === undefined) return undefined;
    const taken = this.directives;
    if (--this.remaining <= 0) this.directives = undefined;
    return taken;
  }
}

async function control(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  recorder: Recorder,
  faults: StandingFaults,
): Promise<void> {
  if (path === "/_sim/faults" && (req.method === "PUT" || req.method === "DELETE")) {
    const raw = req.method === "PUT" ? await readBody(req) : null;
    const body = raw instanceof Buffer ? (parseJson(raw) as { directives?: unknown; count?: unknown }) : null;
    const directives = typeof body?.directives === "string" ? body.directives : null;
    const count = typeof body?.count === "number" && body.count > 0 ? body.count : undefined;
    faults.set(req.method === "PUT" ? directives : null, count);
    res.writeHead(204);
    res.end();
    return;
  }
  req.resume();
  if (path === "/_sim/requests" && req.method === "GET") {
    const text = JSON.stringify(recorder.list());
    res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
    return;
  }
  if (path === "/_sim/requests" && req.method === "DELETE") {
    recorder.clear();
    res.writeHead(204);
    res.end();
    return;
  }
  if (path === "/_sim/health" && req.method === "GET") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"ok":true}');
    return;
  }
  res.writeHead(404, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { message: `Unknown control endpoint ${req.method} ${path}` } }));
}
