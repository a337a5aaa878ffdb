import type { IncomingMessage, ServerResponse } from "node:http";
import secureJson from "secure-json-parse";
import { GatewayError, toEnvelope } from "../errors/catalog.js";
import type { AccessFields } from "../logging.js";
import type { ApiKeyRecord } from "../store/types.js";
import { normalizeError, PAYLOAD_TOO_LARGE } from "./error-handler.js";
import type { HttpObserver } from "./http-observer.js";
import { pathOnly } from "./path-only.js";
import { pipelineHeadersIn } from "./pipeline-headers.js";
import { newRequestId, safeClientRequestId } from "./request-id.js";
import { type RouteResult, runExchange, type ServedExchange } from "./routes/governed-route.js";
import type { ServerDeps } from "./server.js";

const ROUTE = "/v1/chat/completions";

export interface ChatLaneDeps {
  server: ServerDeps;
  /** What the Fastify hook refuses first, with the connection closed (shutting down, framing, headers). */
  refuse: (headers: IncomingMessage["headers"], rawHeaders: readonly string[]) => GatewayError | undefined;
  /** The key, with the failed-auth limit, exactly as the Fastify hook checks it. */
  gate: (headers: IncomingMessage["headers"], ip: string) => ApiKeyRecord | Promise<ApiKeyRecord>;
  pipeline: (ex: ServedExchange) => Promise<RouteResult>;
  access: (fields: AccessFields) => void;
  observers: readonly HttpObserver[];
}

/**
 * `POST /v1/chat/completions` served on node:http directly, past Fastify's router, hook chain,
 * content-type parser and reply: the route every chat request takes, where that machinery was a
 * measurable share of the gateway's own time. It runs the same steps the Fastify route runs (request
 * id; the refusals, authentication and failed-auth limit before the body is read, the body limit, JSON parsing with
 * prototype-poisoning protection, the chat pipeline, the error envelope, the access line and the HTTP
 * metrics), so a client cannot tell which front answered. Anything not in the common shape (another
 * method or path, a body that is not `application/json`, `Expect: 100-continue`) is left to Fastify,
 * which answers it as before: `take` returns false.
 */
export function chatLane(deps: ChatLaneDeps): (req: IncomingMessage, res: ServerResponse) => boolean {
  const limit = deps.server.config.bodyLimitBytes;
  return (req, res) => {
    if (req.method !== "POST" || !isChatPath(req.url) || !isJson(req.headers["content-type"])) return false;
    if (req.headers.expect !== undefined) return false;
    const declared = Number(req.headers["content-length"]);
    if (declared > limit) return false; // Fastify answers 413 without reading it
    void serve(deps, req, res, limit);
    return true;
  };
}

async function serve(deps: ChatLaneDeps, req: IncomingMessage, res: ServerResponse, limit: number) {
  const startedAt = performance.now();
  const requestId = newRequestId();
  const headers: Record<string, string> = { "x-request-id": requestId };
  let key: ApiKeyRecord | undefined;
  for (const o of deps.observers) o.started();
  res.once("finish", () => finished(deps, req, res, requestId, startedAt, key));
  res.once("close", () => {
    if (!res.writableFinished) finished(deps, req, res, requestId, startedAt, key);
  });
  let closeAfter = false;
  try {
    const refused = deps.refuse(req.headers, req.rawHeaders);
    if (refused) {
      closeAfter = true;
      throw refused;
    }
    const gated = deps.gate(req.headers, req.socket.remoteAddress ?? "");
    key = gated instanceof Promise ? await gated : gated;
    const body = await readJson(req, limit);
    const result = await runExchange(
      deps.server,
      {
        requestId,
        key,
        body,
        headers: req.headers,
        startedAt,
        res,
        setHeader: (name, value) => {
          headers[name] = value;
        },
        pipelineHeaders: () => pipelineHeadersIn(headers),
        takeOver: () => {},
      },
      deps.pipeline,
    );
    if (result.kind === "json") sendJson(res, 200, headers, JSON.stringify(result.body));
    else if (result.kind === "aborted" && !res.headersSent) res.destroy();
  } catch (err) {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const { error, bug } = normalizeError(err);
    if (bug) deps.server.log.error({ err, requestId }, "unhandled error");
    if (error.retryAfterSeconds !== undefined) headers["retry-after"] = String(error.retryAfterSeconds);
    // The rest of a body past the limit is not worth reading: closing the connection discards it.
    const discard = error.code === "payload_too_large" && !req.complete;
    if (discard || closeAfter) headers.connection = "close";
    sendJson(res, error.status, headers, JSON.stringify(toEnvelope(error, requestId)));
    if (discard) res.once("finish", () => req.destroy());
  }
}

function sendJson(res: ServerResponse, status: number, headers: Record<string, string>, text: string): void {
  if (res.destroyed) return;
  headers["content-type"] = "application/json; charset=utf-8";
  headers["content-length"] = String(Buffer.byteLength(text));
  res.writeHead(status, headers);
  res.end(text);
}

function finished(
  deps: ChatLaneDeps,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  startedAt: number,
  key: ApiKeyRecord | undefined,
): void {
  for (const o of deps.observers) o.ended(ROUTE, "POST", res.statusCode);
  deps.access({
    requestId,
    clientRequestId: safeClientRequestId(req.headers["x-request-id"]),
    method: "POST",
    url: pathOnly(req.url ?? ROUTE),
    status: res.statusCode,
    ms: Math.round(performance.now() - startedAt),
    keyId: key?.id,
  });
}

/** The body as JSON, within the size limit; the same errors Fastify's parser gives, from the catalog. */
function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(new GatewayError("payload_too_large", PAYLOAD_TOO_LARGE));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      const text = chunks.length === 1 ? (chunks[0] as Buffer).toString() : Buffer.concat(chunks).toString();
      if (text.trim() === "") {
        reject(
          new GatewayError(
            "invalid_request",
            "Body cannot be empty when content-type is set to 'application/json'",
          ),
        );
        return;
      }
      try {
        resolve(secureJson.parse(text, undefined, { protoAction: "error", constructorAction: "error" }));
      } catch (err) {
        reject(new GatewayError("invalid_request", `Malformed JSON body: ${(err as Error).message}`));
      }
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function isChatPath(url: string | undefined): boolean {
  if (url === undefined || !url.startsWith(ROUTE)) return false;
  const rest = url.length - ROUTE.length;
  if (rest === 0) return true;
  const next = url.charCodeAt(ROUTE.length);
  // `?query`, or one trailing slash (Fastify's ignoreTrailingSlash), optionally with a query.
  return next === 63 || (next === 47 && (rest === 1 || url.charCodeAt(ROUTE.length + 1) === 63));
}

function isJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semi = contentType.indexOf(";");
  const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
  return type === "application/json";
}
