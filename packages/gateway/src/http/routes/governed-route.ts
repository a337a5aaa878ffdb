import type { FastifyReply, FastifyRequest } from "fastify";
import type { Aborted, GovernedExchange } from "../../pipeline/governed.js";
import { Cancellation } from "../../providers/cancellation.js";
import { requestedRetries } from "../../routing/retry-policy.js";
import { EventStreamWriter } from "../event-stream.js";
import { pipelineHeadersOf } from "../pipeline-headers.js";
import type { ServerDeps } from "../server.js";

/** A governed exchange that may answer with a named-event stream. */
export interface StreamingExchange extends GovernedExchange {
  /** The client's request headers (for the few a pass-through forwards, such as `anthropic-version`). */
  headers?: Readonly<Record<string, string | string[] | undefined>>;
  /** Opens the event stream for this response; call only once the upstream has answered. */
  events: () => EventStreamWriter;
}

export type RouteResult = { kind: "json"; body: unknown } | { kind: "streamed" } | Aborted;

/**
 * Runs one pipeline for an authenticated `/v1` request, the way the chat route does: a client that goes
 * away cancels the upstream call at once, the call counts as in flight for graceful shutdown, and the
 * result is sent as JSON, left alone (already streamed) or cut (aborted).
 */
export async function serveGoverned(
  deps: ServerDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  pipeline: (ex: StreamingExchange) => Promise<RouteResult>,
): Promise<FastifyReply> {
  const key = req.apiKey;
  if (!key) throw new Error("auth hook did not run");
  const retries = requestedRetries(req.headers);
  const controller = new Cancellation();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  reply.raw.once("close", onClose);
  deps.inflight.add(controller);
  try {
    const result = await pipeline({
      requestId: req.id,
      key,
      body: req.body,
      headers: req.headers,
      signal: controller,
      startedAt: req.startedAt,
      retries,
      setHeader: (name, value) => {
        reply.header(name, value);
      },
      events: () => {
        reply.hijack();
        return new EventStreamWriter(reply.raw, { ...pipelineHeadersOf(reply), "x-request-id": req.id });
      },
    });
    if (result.kind === "json") return reply.send(result.body);
    if (result.kind === "aborted" && !reply.sent) {
      reply.hijack();
      reply.raw.destroy();
    }
    return reply;
  } finally {
    deps.inflight.delete(controller);
    reply.raw.off("close", onClose);
  }
}
