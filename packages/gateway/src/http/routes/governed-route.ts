import type { ServerResponse } from "node:http";
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

/** What every `/v1` pipeline is handed, whatever its response format. */
export interface ServedExchange extends GovernedExchange {
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /**
   * Takes the raw response over (call only once the upstream has answered) and hands it, with the
   * `x-ratelimit-*` / `x-meshapi-*` headers set so far, to the stream writer `make` builds.
   */
  hijack<W>(make: (res: ServerResponse, headers: Record<string, string>) => W): W;
}

/**
 * Runs one pipeline for an authenticated `/v1` request: a client that goes away cancels the upstream
 * call at once, the call counts as in flight for graceful shutdown, and the result is sent as JSON,
 * left alone (already streamed) or cut (aborted). Every `/v1` model route goes through here.
 */
export async function serveExchange(
  deps: ServerDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  pipeline: (ex: ServedExchange) => Promise<RouteResult>,
): Promise<FastifyReply> {
  const key = req.apiKey;
  if (!key) throw new Error("auth hook did not run");
  const retries = requestedRetries(req.headers);
  const controller = new Cancellation();
  const onClose = () => {
    if (!reply.raw.writableFinished) controller.abort();
  };
  // `on`, not `once`: "close" fires at most once, and `once` would wrap the listener on every request.
  reply.raw.on("close", onClose);
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
      hijack: (make) => {
        reply.hijack();
        return make(reply.raw, { ...pipelineHeadersOf(reply), "x-request-id": req.id });
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

/** A route answering in a named-event stream format (`/v1/messages`, `/v1/responses`, `/v1/embeddings`). */
export function serveGoverned(
  deps: ServerDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  pipeline: (ex: StreamingExchange) => Promise<RouteResult>,
): Promise<FastifyReply> {
  return serveExchange(deps, req, reply, (ex) =>
    pipeline({ ...ex, events: () => ex.hijack((res, headers) => new EventStreamWriter(res, headers)) }),
  );
}
