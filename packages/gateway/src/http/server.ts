import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from "node:http";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
  LogController,
} from "fastify";
import type { Logger } from "pino";
import type { GatewayConfig } from "../config/config.js";
import { GatewayError, toEnvelope } from "../errors/catalog.js";
import type { KeyCache } from "../keys/key-cache.js";
import { accessLogger } from "../logging.js";
import { authenticate, presentedKey } from "../pipeline/authenticate.js";
import type { ChatDeps } from "../pipeline/chat.js";
import type { AnthropicPassThrough } from "../providers/anthropic/passthrough.js";
import type { Cancellation } from "../providers/cancellation.js";
import type { EmbedderRegistry } from "../providers/embeddings/registry.js";
import type { OpenAIResponsesPassThrough } from "../providers/openai-responses/passthrough.js";
import { AuthFailureLimiter, isFailedAuth } from "../security/auth-failures.js";
import type { ApiKeyRecord, Store } from "../store/types.js";
import { chatLane } from "./chat-lane.js";
import { handleClientError } from "./client-error.js";
import { normalizeError } from "./error-handler.js";
import { ambiguousFraming } from "./framing.js";
import type { HttpObserver } from "./http-observer.js";
import { pathOnly } from "./path-only.js";
import { newRequestId, safeClientRequestId } from "./request-id.js";
import { registerAdminKeyRoutes } from "./routes/admin-keys.js";
import { chatExchange, registerChatRoutes } from "./routes/chat.js";
import { registerEmbeddingRoutes } from "./routes/embeddings.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerMessagesRoutes } from "./routes/messages.js";
import { registerModelRoutes } from "./routes/models.js";
import { registerResponsesRoutes } from "./routes/responses.js";
import { applyServerLimits, fastifyServerOptions, headersOverflow } from "./server-limits.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set by the auth hook on `/v1/*` routes. */
    apiKey: ApiKeyRecord | null;
    startedAt: number;
  }
  interface FastifyInstance {
    /** Failed-auth counts per client address, shared by the `/v1` key check and the admin guard. */
    authFailures: AuthFailureLimiter;
    /** Request watchers that the chat lane, which bypasses Fastify's hooks, calls too. */
    httpObservers: HttpObserver[];
  }
}

export interface ServerDeps extends ChatDeps {
  config: GatewayConfig;
  store: Store;
  keys: KeyCache;
  log: Logger;
  /** True once shutdown began: new requests get 503. */
  isClosing: () => boolean;
  /** Controllers of in-flight upstream calls, aborted when the grace period runs out. */
  inflight: Set<Cancellation>;
  /** Embeddings APIs by wire format (`/v1/embeddings`). */
  embedders: EmbedderRegistry;
  /** Anthropic's Messages API called as is (`/v1/messages` to `anthropic/*`). */
  anthropicPassThrough: AnthropicPassThrough;
  /** OpenAI's Responses API called as is (`/v1/responses` to `openai/*`). */
  openaiResponsesPassThrough: OpenAIResponsesPassThrough;
}

export function sendError(reply: FastifyReply, error: GatewayError): FastifyReply {
  if (error.retryAfterSeconds !== undefined) reply.header("retry-after", String(error.retryAfterSeconds));
  return reply.code(error.status).type("application/json").send(toEnvelope(error, reply.request.id));
}

function tooManyHeaders(max: number): GatewayError {
  return new GatewayError(
    "headers_too_large",
    `The request has more header fields than the gateway accepts (${max}, MESHAPI_MAX_HEADERS_COUNT).`,
  );
}

export function buildServer(deps: ServerDeps): FastifyInstance {
  const limits = deps.config.server;
  const authFailures = new AuthFailureLimiter(deps.config.authFailures);
  const access = accessLogger(deps.log);
  const observers: HttpObserver[] = [];

  /** Refused before anything else, with the connection closed: shutting down, ambiguous framing, too many headers. */
  const refuse = (headers: IncomingHttpHeaders, rawHeaders: readonly string[]): GatewayError | undefined => {
    if (deps.isClosing()) return new GatewayError("service_unavailable", "The gateway is shutting down.");
    const framing = ambiguousFraming(headers);
    // The rest of the bytes on this connection cannot be trusted to start a new request.
    if (framing) return new GatewayError("invalid_request", framing);
    if (headersOverflow(rawHeaders, limits)) return tooManyHeaders(limits.maxHeadersCount);
    return undefined;
  };
  /** The `/v1` key, checked before the body is read; a wrong key counts towards the address's failed-auth limit. */
  const gate = (headers: IncomingHttpHeaders, ip: string): ApiKeyRecord | Promise<ApiKeyRecord> => {
    const counted = (err: unknown): never => {
      // A request with no key at all does not count.
      if (isFailedAuth(err) && presentedKey(headers) !== undefined) authFailures.recordFailure(ip);
      throw err;
    };
    try {
      authFailures.check(ip);
      const found = authenticate(headers, deps.keys);
      return found instanceof Promise ? found.catch(counted) : found;
    } catch (err) {
      return counted(err);
    }
  };

  const lane = chatLane({ server: deps, refuse, gate, pipeline: chatExchange(deps), access, observers });
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // One line per request comes from our onResponse hook instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // Handlers log through deps.log with explicit request ids; a child logger per request is wasted work.
    childLoggerFactory: (logger) => logger,
    bodyLimit: deps.config.bodyLimitBytes,
    genReqId: newRequestId,
    requestIdHeader: false,
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
    ...fastifyServerOptions(limits),
    clientErrorHandler: handleClientError,
    // The chat route's common shape is served by the chat lane; everything else by Fastify.
    serverFactory: (handler, options) =>
      laneServer(options, (req, res) => lane(req, res) || handler(req, res)),
  });
  applyServerLimits(app.server, limits);
  app.decorate("authFailures", authFailures);
  app.decorate("httpObservers", observers);
  app.decorateRequest("apiKey", null);
  app.decorateRequest("startedAt", 0);

  // Both hooks are callback-style, not async: on the hot path an async hook costs a promise and a
  // microtask per request for work that is synchronous whenever the key is cached.
  app.addHook("onRequest", (req, reply, done) => {
    req.startedAt = performance.now();
    reply.header("x-request-id", req.id);
    const refused = refuse(req.headers, req.raw.rawHeaders);
    if (refused) {
      reply.header("connection", "close");
      sendError(reply, refused);
      return;
    }
    // Authenticate before the body is read, so unauthenticated clients cannot make us parse 20 MB.
    if (!req.url.startsWith("/v1/")) return done();
    let found: ApiKeyRecord | Promise<ApiKeyRecord>;
    try {
      found = gate(req.headers, req.ip);
    } catch (err) {
      return done(err as Error);
    }
    if (!(found instanceof Promise)) {
      req.apiKey = found;
      return done();
    }
    found.then((key) => {
      req.apiKey = key;
      done();
    }, done);
  });

  app.addHook("onResponse", (req, reply, done) => {
    access({
      requestId: req.id,
      clientRequestId: safeClientRequestId(req.headers["x-request-id"]),
      method: req.method,
      url: pathOnly(req.url),
      status: reply.statusCode,
      ms: Math.round(performance.now() - req.startedAt),
      keyId: req.apiKey?.id,
    });
    done();
  });

  app.setErrorHandler((err, req, reply) => {
    const { error, bug } = normalizeError(err);
    if (bug) deps.log.error({ err, requestId: req.id }, "unhandled error");
    return sendError(reply, error);
  });
  app.setNotFoundHandler((req, reply) => {
    return sendError(
      reply,
      new GatewayError("not_found", `No route for ${req.method} ${req.url.split("?")[0]}.`),
    );
  });

  registerHealthRoutes(app, deps);
  registerChatRoutes(app, deps);
  registerEmbeddingRoutes(app, deps);
  registerMessagesRoutes(app, deps);
  registerResponsesRoutes(app, deps);
  registerModelRoutes(app, deps);
  registerAdminKeyRoutes(app, deps);
  return app;
}

/** The server Fastify would build (same options applied), with the chat lane in front of its handler. */
function laneServer(
  options: FastifyServerOptions,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
): Server {
  const server = createServer((options as { http?: ServerOptions }).http ?? {}, listener);
  server.keepAliveTimeout = options.keepAliveTimeout ?? 72_000;
  server.requestTimeout = options.requestTimeout ?? 0;
  server.setTimeout(options.connectionTimeout ?? 0);
  if ((options.maxRequestsPerSocket ?? 0) > 0)
    server.maxRequestsPerSocket = options.maxRequestsPerSocket as number;
  return server;
}
