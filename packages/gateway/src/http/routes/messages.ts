import type { FastifyInstance } from "fastify";
import { handleMessages } from "../../pipeline/messages.js";
import { toAnthropicEnvelope } from "../anthropic-error.js";
import { normalizeError } from "../error-handler.js";
import type { ServerDeps } from "../server.js";
import { serveGoverned } from "./governed-route.js";

/**
 * `POST /v1/messages`: Anthropic's Messages API, for the official Anthropic SDKs and Claude Code. Its
 * errors (authentication included) come in Anthropic's envelope, which those clients parse.
 */
export function registerMessagesRoutes(app: FastifyInstance, deps: ServerDeps): void {
  app.post(
    "/v1/messages",
    {
      errorHandler(err, req, reply) {
        const { error, bug } = normalizeError(err);
        if (bug) deps.log.error({ err, requestId: req.id }, "unhandled error");
        if (error.retryAfterSeconds !== undefined)
          reply.header("retry-after", String(error.retryAfterSeconds));
        return reply.code(error.status).type("application/json").send(toAnthropicEnvelope(error, req.id));
      },
    },
    (req, reply) => serveGoverned(deps, req, reply, (ex) => handleMessages(deps, ex)),
  );
}
