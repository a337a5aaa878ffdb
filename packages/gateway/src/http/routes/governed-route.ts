import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { Aborted, GovernedExchange } from "../../pipeline/governed.js";
import { Cancellation } from "../../providers/cancellation.js";
import { requestedRetries } from "../../routing/retry-policy.js";
import type { ApiKeyRecord } from "../../store/types.js";
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

/** The HTTP side of one authenticated `/v1` request, whichever server front took it (Fastify or the chat lane). */
export interface ExchangeHttp {
  requestId: string;
  key: ApiKeyRecord;
  body: unknown;
  headers: IncomingHttpHeaders;
  startedAt: number;
  res: ServerResponse;
  setHeader(name: string, value: string): void;
  /** The `x-ratelimit-*` / `x-meshapi-*` headers set so far, for a stream that writes its own head. */
  pipelineHeaders(): Record<string, string>;
  /** Tells the front that the pipeline writes the raw response itself from now on. */
  takeOver(): void;
}

/**
 * Runs one pipeline for an authenticated `/v1` request: a client that goes away cancels the upstream
 * call at once, and the call counts as in flight for graceful shutdown. Every `/v1` model route goes
 * through here; the front sends a JSON result and cuts an aborted one.
 */
export async function runExchange(
  deps: ServerDeps,
  http: ExchangeHttp,
  pipeline: (ex: ServedExchange) => Promise<RouteResult>,
): Promise<RouteResult> {
  const controller = new Cancellation();
  const res = http.res;
  const onClose = () => {
    if (!res.writableFinished) controller.abort();
  };
  // `on`, not `once`: "close" fires at most once, and `once` would wrap the listener on every request.
  res.on("close", onClose);
  deps.inflight.add(controller);
  try {
    return await pipeline({
      requestId: http.requestId,
      key: http.key,
      body: http.body,
      headers: http.headers,
      signal: controller,
      startedAt: http.startedAt,
      retries: requestedRetries(http.headers),
      setHeader: http.setHeader,
      hijack: (make) => {
        http.takeOver();
        return make(res, { ...http.pipelineHeaders(), "x-request-id": http.requestId });
      },
    });
  } finally {
    deps.inflight.delete(controller);
    res.off("close", onClose);
  }
}

/** `runExchange` for a route Fastify serves. */
export async function serveExchange(
  deps: ServerDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  pipeline: (ex: ServedExchange) => Promise<RouteResult>,
): Promise<FastifyReply> {
  const key = req.apiKey;
  if (!key) throw new Error("auth hook did not run");
  const result = await runExchange(
    deps,
    {
      requestId: req.id,
      key,
      body: req.body,
      headers: req.headers,
      startedAt: req.startedAt,
      res: reply.raw,
      setHeader: (name, value) => {
        reply.header(name, value);
      },
      pipelineHeaders: () => pipelineHeadersOf(reply),
      takeOver: () => reply.hijack(),
    },
    pipeline,
  );
  if (result.kind === "json") return reply.send(result.body);
  if (result.kind === "aborted" && !reply.sent) {
    reply.hijack();
    reply.raw.destroy();
  }
  return reply;
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
