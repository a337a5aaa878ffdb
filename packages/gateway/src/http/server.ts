import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
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
import { handleClientError } from "./client-error.js";
import { normalizeError } from "./error-handler.js";
import { ambiguousFraming } from "./framing.js";
import { newRequestId, safeClientRequestId } from "./request-id.js";
import { registerAdminKeyRoutes } from "./routes/admin-keys.js";
import { registerChatRoutes } from "./routes/chat.js";
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

/** The query string is left out of the access log: some clients put credentials there. */
function pathOnly(url: string): string {
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

function tooManyHeaders(max: number): GatewayError {
  return new GatewayError(
    "headers_too_large",
    `The request has more header fields than the gateway accepts (${max}, MESHAPI_MAX_HEADERS_COUNT).`,
  );
}

export function buildServer(deps: ServerDeps): FastifyInstance {
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
    ...fastifyServerOptions(deps.config.server),
    clientErrorHandler: handleClientError,
  });
  applyServerLimits(app.server, deps.config.server);
  const authFailures = new AuthFailureLimiter(deps.config.authFailures);
  app.decorate("authFailures", authFailures);
  app.decorateRequest("apiKey", null);
  app.decorateRequest("startedAt", 0);

  // Both hooks are callback-style, not async: on the hot path an async hook costs a promise and a
  // microtask per request for work that is synchronous whenever the key is cached.
  app.addHook("onRequest", (req, reply, done) => {
    req.startedAt = performance.now();
    reply.header("x-request-id", req.id);
    if (deps.isClosing()) {
      reply.header("connection", "close");
      sendError(reply, new GatewayError("service_unavailable", "The gateway is shutting down."));
      return;
    }
    const framing = ambiguousFraming(req.headers);
    if (framing) {
      // The rest of the bytes on this connection cannot be trusted to start a new request.
      reply.header("connection", "close");
      sendError(reply, new GatewayError("invalid_request", framing));
      return;
    }
    if (headersOverflow(req.raw.rawHeaders, deps.config.server)) {
      reply.header("connection", "close");
      sendError(reply, tooManyHeaders(deps.config.server.maxHeadersCount));
      return;
    }
    // Authenticate before the body is read, so unauthenticated clients cannot make us parse 20 MB.
    if (!req.url.startsWith("/v1/")) return done();
    let found: ReturnType<typeof authenticate>;
    try {
      authFailures.check(req.ip);
      found = authenticate(req.headers, deps.keys);
    } catch (err) {
      return done(countFailure(err, req.ip, req.headers));
    }
    if (!(found instanceof Promise)) {
      req.apiKey = found;
      return done();
    }
    found.then(
      (key) => {
        req.apiKey = key;
        done();
      },
      (err) => done(countFailure(err, req.ip, req.headers)),
    );
  });

  /** A wrong key counts towards the address's failed-auth limit; a request with no key at all does not. */
  const countFailure = (err: unknown, ip: string, headers: FastifyRequest["headers"]): Error => {
    if (isFailedAuth(err) && presentedKey(headers) !== undefined) authFailures.recordFailure(ip);
    return err as Error;
  };

  const access = accessLogger(deps.log);
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
